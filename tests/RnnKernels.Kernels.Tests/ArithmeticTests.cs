using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>
/// The arithmetic maps on every tier, every length, in place: Multiply, Subtract, Add, Scale and AddScalar are exact
/// (one rounding each) everywhere; Axpy rounds once where the tier has FMA and twice on the scalar tier, so its bits
/// also show which tier ran.
/// </summary>
public sealed class ArithmeticTests
{
    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void EveryLengthMatchesTheScalarResultBitwise(IsaTier tier)
    {
        var random = new Random(7);
        for (int length = 0; length <= 130; length++)
        {
            float[] x = Values(random, length), y = Values(random, length);
            float s = (random.NextSingle() * 4) - 2;
            Check(length, (a, b, z) => Elementwise.Multiply(tier, a, b, z), (a, b) => a * b, x, y);
            Check(length, (a, b, z) => Elementwise.Subtract(tier, a, b, z), (a, b) => a - b, x, y);
            Check(length, (a, b, z) => Elementwise.Add(tier, a, b, z), (a, b) => a + b, x, y);
            Check(length, (a, _, z) => Elementwise.Scale(tier, a, s, z), (a, _) => a * s, x, y);
            Check(length, (a, _, z) => Elementwise.AddScalar(tier, a, s, z), (a, _) => a + s, x, y);
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void AxpyRoundsOnceExactlyWhereTheTierHasFma(IsaTier tier)
    {
        bool fused = tier != IsaTier.Scalar && (Fma.IsSupported || AdvSimd.IsSupported);
        var random = new Random(11);
        int differences = 0;
        for (int length = 0; length <= 130; length++)
        {
            float[] x = Values(random, length), y = Values(random, length);
            float alpha = (random.NextSingle() * 4) - 2;
            float[] result = (float[])y.Clone();
            Elementwise.Axpy(tier, alpha, x, result);
            for (int i = 0; i < length; i++)
            {
                float once = MathF.FusedMultiplyAdd(alpha, x[i], y[i]), twice = (alpha * x[i]) + y[i];
                Assert.Equal(fused ? once : twice, result[i]);
                differences += once != twice ? 1 : 0;
            }
        }

        Assert.True(differences > 100, $"only {differences} inputs tell one rounding from two");
    }

    [Fact]
    public void RejectsMismatchedLengthsShortDestinationAndPartialOverlap()
    {
        float[] buffer = new float[30];
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Elementwise.Multiply(buffer.AsSpan(0, 10), buffer.AsSpan(10, 9), buffer.AsSpan(20, 10))).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => Elementwise.Subtract(buffer.AsSpan(0, 10), buffer.AsSpan(10, 10), buffer.AsSpan(20, 9))).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => Elementwise.Multiply(buffer.AsSpan(0, 10), buffer.AsSpan(10, 10), buffer.AsSpan(1, 10))).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => Elementwise.Add(buffer.AsSpan(0, 10), buffer.AsSpan(10, 10), buffer.AsSpan(5, 10))).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Elementwise.Scale(buffer.AsSpan(0, 10), 2f, buffer.AsSpan(20, 9))).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Elementwise.AddScalar(buffer.AsSpan(0, 10), 2f, buffer.AsSpan(3, 10))).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Elementwise.Axpy(2f, buffer.AsSpan(0, 10), buffer.AsSpan(10, 9))).ParamName);
    }

    private static float[] Values(Random random, int length) => [.. Enumerable.Range(0, length).Select(_ => (random.NextSingle() * 8) - 4)];

    /// <summary>
    /// The map into a fresh output (whose element past the end must stay untouched) and in place on its first input,
    /// both equal to the scalar expression bitwise.
    /// </summary>
    private static void Check(int length, Action<float[], float[], float[]> map, Func<float, float, float> expected, float[] x, float[] y)
    {
        float[] z = new float[length + 1];
        z[length] = 99f;
        map(x, y, z);
        Assert.Equal(99f, z[length]);
        float[] inPlace = (float[])x.Clone();
        map(inPlace, y, inPlace);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(expected(x[i], y[i]), z[i]);
            Assert.Equal(z[i], inPlace[i]);
        }
    }
}
