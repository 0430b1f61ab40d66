using RnnKernels.Kernels;
using RnnKernels.Testing;

namespace RnnKernels.Kernels.Tests;

/// <summary>
/// A matrix packed for one-row products (<see cref="PackedLayout.OneRow"/>) gives the product of the matrix it was
/// packed from on every tier, never writes past n, and refuses products of more rows.
/// </summary>
public sealed class OneRowPackedTests
{
    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void MatchesTheDoubleReference(IsaTier tier)
    {
        // Widths around every vector width and pass size (13 vectors a pass: 104 columns on AVX2, 208 on AVX-512),
        // both transposes of B, odd strides, a strided column for A, and one matrix repacked smaller and larger.
        var random = new Random(11);
        int[] ns = [1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 100, 104, 105, 209, 333];
        int[] ks = [1, 7, 33, 300];
        (float Alpha, float Beta)[] scalars = [(1f, 0f), (1.5f, 0.5f), (-0.5f, 1f)];
        var packed = new PackedMatrix(300, 333, PackedLayout.OneRow);
        int seed = 0;
        foreach (int n in ns)
        {
            foreach (int k in ks)
            {
                foreach (Transpose tb in new[] { Transpose.No, Transpose.Yes })
                {
                    (float alpha, float beta) = scalars[seed % scalars.Length];
                    Transpose ta = seed % 4 == 1 ? Transpose.Yes : Transpose.No;
                    int pad = seed++ % 3 == 0 ? 3 : 0, lda = ta == Transpose.Yes ? 2 : k;
                    int ldb = (tb == Transpose.No ? n : k) + pad;
                    float[] a = GemmTests.RandomArray(random, ta == Transpose.Yes ? ((k - 1) * lda) + 1 : k);
                    float[] b = GemmTests.RandomArray(random, (((tb == Transpose.No ? k : n) - 1) * ldb) + ldb - pad);
                    float[] c = GemmTests.RandomArray(random, n + 5);
                    if (beta == 0f)
                    {
                        c.AsSpan(0, n).Fill(float.NaN); // beta = 0 ignores what C held.
                    }

                    float[] tail = c[n..];
                    (double[] expected, double[] magnitude) = GemmReference.Compute(ta, tb, 1, n, k, alpha, a, lda, b, ldb, beta, (float[])c.Clone(), n);
                    packed.Pack(tier, tb, k, n, b, ldb);
                    Gemm.Compute(ta, 1, alpha, a, lda, packed, beta, c, n);
                    for (int j = 0; j < n; j++)
                    {
                        Assert.True(Math.Abs(c[j] - expected[j]) <= GemmReference.Tolerance(k, magnitude[j]), $"{tier} {ta}{tb} n={n} k={k} C[{j}] = {c[j]}, expected {expected[j]}");
                    }

                    Assert.True(tail.AsSpan().SequenceEqual(c.AsSpan(n)), $"{tier} n={n} k={k}: a value past n was written");
                }
            }
        }
    }

    [Fact]
    public void ZeroAlphaOrDepthReadsNeitherOperand()
    {
        float[] b = new float[40 * 20];
        b.AsSpan().Fill(float.NaN);
        var packed = new PackedMatrix(40, 20, PackedLayout.OneRow);
        packed.Pack(Transpose.No, 40, 20, b, 20);
        float[] a = new float[40], c = Enumerable.Range(1, 20).Select(i => (float)i).ToArray();
        a.AsSpan().Fill(float.NaN);
        Gemm.Compute(Transpose.No, 1, 0f, a, 40, packed, 2f, c, 20);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => 2f * i), c);

        packed.Pack(Transpose.No, 0, 20, [], 20);
        Gemm.Compute(Transpose.No, 1, 1f, [], 1, packed, 0.5f, c, 20);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (float)i), c);
    }

    [Fact]
    public void RefusesAProductOfMoreThanOneRowAndAnUndefinedLayout()
    {
        var packed = new PackedMatrix(8, 8, PackedLayout.OneRow);
        packed.Pack(Transpose.No, 8, 8, new float[64], 8);
        Assert.Equal(PackedLayout.OneRow, packed.Layout);
        var error = Assert.Throws<ArgumentException>(() => Gemm.Compute(Transpose.No, 2, 1f, new float[16], 8, packed, 0f, new float[16], 8));
        Assert.Equal("b", error.ParamName);
        Assert.Contains("OneRow", error.Message, StringComparison.Ordinal);
        Gemm.Compute(Transpose.No, 0, 1f, [], 8, packed, 0f, [], 8); // No rows: nothing to do, nothing refused.
        Assert.Equal("layout", Assert.Throws<ArgumentOutOfRangeException>(() => new PackedMatrix(8, 8, (PackedLayout)5)).ParamName);
    }

    [Fact]
    public void PackingAndProductsAllocateNothing()
    {
        var random = new Random(12);
        float[] a = GemmTests.RandomArray(random, 400), b = GemmTests.RandomArray(random, 400 * 100), c = new float[400];
        var forward = new PackedMatrix(100, 400, PackedLayout.OneRow);
        var backward = new PackedMatrix(400, 100, PackedLayout.OneRow);
        void Run()
        {
            forward.Pack(Transpose.Yes, 100, 400, b, 100);
            Gemm.Compute(Transpose.No, 1, 1f, a, 100, forward, 0f, c, 400);
            backward.Pack(Transpose.No, 400, 100, b, 100);
            Gemm.Compute(Transpose.Yes, 1, 1f, a, 1, backward, 1f, c, 100);
        }

        Run();
        Assert.Equal(0, SteadyStateAllocation.PerCall(Run));
    }
}
