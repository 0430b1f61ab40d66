using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>SumOfSquares, Max and ColumnSums on every tier against float64 references, awkward lengths included.</summary>
public sealed class ReductionTests
{
    private static readonly int[] Lengths = [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 1023, 1024, 1025, 4100];

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void SumOfSquaresIsCloseToTheFloat64Sum(IsaTier tier)
    {
        var random = new Random(3);
        foreach (int length in Lengths)
        {
            float[] x = [.. Enumerable.Range(0, length).Select(_ => (random.NextSingle() * 6) - 3)];
            double expected = x.Sum(v => (double)v * v);
            double actual = Reductions.SumOfSquares(tier, x);
            Assert.True(Math.Abs(actual - expected) <= 1e-6 * Math.Max(1, expected), $"length {length}: {actual} vs {expected}");
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void MaxIsExactAndPropagatesNaN(IsaTier tier)
    {
        var random = new Random(5);
        Assert.Equal(float.NegativeInfinity, Reductions.Max(tier, []));
        foreach (int length in Lengths.Where(n => n > 0))
        {
            float[] x = [.. Enumerable.Range(0, length).Select(_ => (random.NextSingle() * 100) - 150)];
            Assert.Equal(x.Max(), Reductions.Max(tier, x));
            int at = random.Next(length);
            x[at] = float.NaN;
            Assert.True(float.IsNaN(Reductions.Max(tier, x)), $"length {length}, NaN at {at}");
            x[at] = float.PositiveInfinity;
            Assert.Equal(float.PositiveInfinity, Reductions.Max(tier, x));
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void ColumnSumsMatchTheFloat64Sums(IsaTier tier)
    {
        var random = new Random(9);
        // Widths past four vectors of every tier (130), and overwriting sums that held NaN (accumulate: false).
        foreach ((int rows, int n, int ld) in new[] { (1, 1, 1), (7, 9, 11), (33, 17, 17), (65, 63, 70), (25, 130, 133), (0, 5, 5) })
        {
            foreach (bool accumulate in new[] { true, false })
            {
                float[] m = [.. Enumerable.Range(0, rows * ld).Select(_ => random.NextSingle() - 0.5f)];
                float[] sums = [.. Enumerable.Range(0, n).Select(_ => accumulate ? 1f : float.NaN)];
                Reductions.ColumnSums(tier, m, rows, ld, sums, accumulate);
                for (int j = 0; j < n; j++)
                {
                    double expected = (accumulate ? 1 : 0) + Enumerable.Range(0, rows).Sum(r => (double)m[(r * ld) + j]);
                    Assert.True(Math.Abs(sums[j] - expected) <= 1e-5, $"{rows}x{n} accumulate={accumulate}: column {j} {sums[j]} vs {expected}");
                }
            }
        }
    }
}
