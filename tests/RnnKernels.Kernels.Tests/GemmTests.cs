using RnnKernels.Kernels;
using RnnKernels.Testing;

namespace RnnKernels.Kernels.Tests;

public sealed class GemmTests
{
    private const float Sentinel = 12345.5f;
    private static readonly int[] AwkwardSizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65];

    public static TheoryData<IsaTier, Transpose, Transpose> PathsAndTransposes
    {
        get
        {
            TheoryData<IsaTier, Transpose, Transpose> data = [];
            foreach (IsaTier tier in KernelTiers.Supported)
            {
                foreach (Transpose ta in Enum.GetValues<Transpose>())
                {
                    foreach (Transpose tb in Enum.GetValues<Transpose>())
                    {
                        data.Add(tier, ta, tb);
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void EveryRowCountAgainstReference(IsaTier tier, Transpose ta, Transpose tb)
    {
        int[] ns = [1, 7, 16, 17, 33, 65];
        int[] ks = [1, 8, 9, 31, 63];
        int seed = 1;
        for (int m = 1; m <= 67; m++)
        {
            foreach (int n in ns)
            {
                foreach (int k in ks)
                {
                    RunCase(tier, ta, tb, m, n, k, 1f, 0f, pad: 0, seed++);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void AwkwardShapesStridesAndScalars(IsaTier tier, Transpose ta, Transpose tb)
    {
        (float Alpha, float Beta)[] scalars = [(1f, 0f), (1f, 1f), (-0.5f, 2f), (0f, 0.5f), (2.5f, 0f), (0f, 0f)];
        var random = new Random(7);
        int seed = 100;
        foreach (int m in AwkwardSizes)
        {
            foreach (int n in AwkwardSizes)
            {
                int k = AwkwardSizes[random.Next(AwkwardSizes.Length)];
                (float alpha, float beta) = scalars[random.Next(scalars.Length)];
                RunCase(tier, ta, tb, m, n, k, alpha, beta, pad: random.Next(4), seed++);
            }
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void BlockBoundaries(IsaTier tier, Transpose ta, Transpose tb)
    {
        // KC = 256 and MC = 128/144 boundaries, an NC = 2048/3072 crossing, the large awkward sizes, and a B whose
        // row stride is a multiple of 4 KiB (unpadded n = 1024, or n = 1021 and 2045 padded by 3: packed 256 columns
        // at a time unless one row tile reads it in place; the last group short, then a narrow last panel).
        (int M, int N, int K)[] shapes =
        [
            (100, 129, 257), (257, 100, 129), (129, 257, 100), (7, 9, 255), (7, 9, 256), (9, 17, 257), (5, 33, 513),
            (127, 17, 9), (128, 17, 9), (129, 17, 9), (143, 18, 5), (144, 18, 5), (145, 18, 5), (289, 16, 3),
            (3, 3100, 5), (1, 3100, 7), (1, 257, 300), (64, 257, 129), (16, 1024, 9), (5, 1024, 17),
            (16, 1021, 300), (13, 2045, 20),
        ];
        int seed = 500;
        foreach ((int m, int n, int k) in shapes)
        {
            RunCase(tier, ta, tb, m, n, k, 0.75f, 1f, pad: 3, seed++);
            RunCase(tier, ta, tb, m, n, k, 1f, 0f, pad: 0, seed++);
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void ARowComesOutTheSameWhateverRowTileItFallsIn(IsaTier tier)
    {
        // The first m rows of a 40-row product are whole tiles; alone, their last rows are a short tile (or, where the
        // kernel computes every row count, two balanced ones: 8 rows on AVX2 are 4 + 4). Bits must not change.
        const int N = 33, K = 37, Rows = 40;
        var random = new Random(3);
        float[] a = RandomArray(random, Rows * K), b = RandomArray(random, K * N);
        float[] whole = new float[Rows * N];
        Gemm.Compute(tier, Transpose.No, Transpose.No, Rows, N, K, 0.75f, a, K, b, N, 0f, whole, N);
        for (int m = 2; m < Rows; m++)
        {
            float[] part = new float[m * N];
            Gemm.Compute(tier, Transpose.No, Transpose.No, m, N, K, 0.75f, a, K, b, N, 0f, part, N);
            Assert.True(part.AsSpan().SequenceEqual(whole.AsSpan(0, m * N)), $"m = {m}: rows differ from the same rows of the {Rows}-row product.");
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void AColumnOfAOneRowProductComesOutTheSameWhateverPassItFallsIn(IsaTier tier)
    {
        // The M = 1 row form holds up to thirteen column vectors per pass and reads the last columns as a vector
        // overlapping the one before; a thread takes a column range of at least a vector. Whatever range a column
        // falls in, at whatever place, its bits must not change.
        const int N = 300, K = 41;
        var random = new Random(5);
        float[] x = RandomArray(random, K), b = RandomArray(random, K * N);
        float[] whole = new float[N];
        Gemm.Compute(tier, Transpose.No, Transpose.No, 1, N, K, 1f, x, K, b, N, 0f, whole, N);
        foreach (int start in (int[])[0, 4, 8, 16, 48, 96, 104, 200])
        {
            foreach (int count in (int[])[16, 17, 40, 100, 104, 105, 209, N - start])
            {
                if (start + count > N)
                {
                    continue;
                }

                float[] part = new float[count];
                Gemm.Compute(tier, Transpose.No, Transpose.No, 1, count, K, 1f, x, K, b.AsSpan(start), N, 0f, part, count);
                Assert.True(part.AsSpan().SequenceEqual(whole.AsSpan(start, count)), $"columns [{start}, {start + count}) differ from the same columns of the {N}-column product.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void EmptyShapesLeaveOrScaleC(IsaTier tier)
    {
        // m or n = 0: nothing to touch. k = 0: C = beta * C, and beta = 0 clears even NaN.
        float[] c = [1f, 2f, float.NaN, 4f];
        Gemm.Compute(tier, Transpose.No, Transpose.No, 0, 2, 3, 1f, [], 3, new float[6], 2, 0f, c, 2);
        Gemm.Compute(tier, Transpose.No, Transpose.No, 2, 0, 3, 1f, new float[6], 3, [], 1, 0f, c, 1);
        Assert.Equal(4f, c[3]);
        Gemm.Compute(tier, Transpose.No, Transpose.No, 2, 2, 0, 1f, [], 1, [], 2, 2f, c, 2);
        Assert.Equal([2f, 4f, float.NaN, 8f], c);
        Gemm.Compute(tier, Transpose.No, Transpose.No, 2, 2, 0, 1f, [], 1, [], 2, 0f, c, 2);
        Assert.Equal([0f, 0f, 0f, 0f], c);
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void BetaZeroIgnoresNaNInCAndAlphaZeroIgnoresNaNInputs(IsaTier tier)
    {
        float[] a = [1f, 2f, 3f, 4f];
        float[] b = [1f, 0f, 0f, 1f];
        float[] c = [float.NaN, float.NaN, float.PositiveInfinity, float.NaN];
        Gemm.Compute(tier, Transpose.No, Transpose.No, 2, 2, 2, 1f, a, 2, b, 2, 0f, c, 2);
        Assert.Equal([1f, 2f, 3f, 4f], c);

        float[] nanA = [float.NaN, float.NaN, float.NaN, float.NaN];
        Gemm.Compute(tier, Transpose.No, Transpose.No, 2, 2, 2, 0f, nanA, 2, b, 2, 2f, c, 2);
        Assert.Equal([2f, 4f, 6f, 8f], c);
    }

    [Fact]
    public void RejectsBadShapesNamingTheArgument()
    {
        float[] a = new float[12], b = new float[12], c = new float[12];
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Compute(Transpose.No, Transpose.No, -1, 2, 2, 1f, a, 2, b, 2, 0f, c, 2)).ParamName);
        Assert.Equal("lda", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Compute(Transpose.No, Transpose.No, 2, 2, 3, 1f, a, 2, b, 2, 0f, c, 2)).ParamName);
        Assert.Equal("lda", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Compute(Transpose.Yes, Transpose.No, 3, 2, 2, 1f, a, 2, b, 2, 0f, c, 2)).ParamName);
        Assert.Equal("ldc", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Compute(Transpose.No, Transpose.No, 2, 3, 2, 1f, a, 2, b, 3, 0f, c, 2)).ParamName);
        var tooShort = Assert.Throws<ArgumentException>(() => Gemm.Compute(Transpose.No, Transpose.No, 4, 2, 3, 1f, a.AsSpan(0, 11), 3, b, 2, 0f, c, 2));
        Assert.Equal("a", tooShort.ParamName);
        Assert.Contains("needs 12 elements, but it has 11", tooShort.Message, StringComparison.Ordinal);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Gemm.Compute(Transpose.No, Transpose.Yes, 2, 6, 3, 1f, a, 3, b, 3, 0f, c, 6)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Gemm.Compute(Transpose.No, Transpose.No, 3, 5, 2, 1f, a, 2, b, 5, 0f, c, 5)).ParamName);
        Assert.Equal("transA", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Compute((Transpose)7, Transpose.No, 1, 1, 1, 1f, a, 1, b, 1, 0f, c, 1)).ParamName);
    }

    [Fact]
    public void RejectsCOverlappingAnInput()
    {
        float[] buffer = new float[32];
        var overlapA = Assert.Throws<ArgumentException>(() =>
            Gemm.Compute(Transpose.No, Transpose.No, 2, 2, 2, 1f, buffer.AsSpan(0, 4), 2, new float[4], 2, 0f, buffer.AsSpan(2, 4), 2));
        Assert.Contains("overlap a", overlapA.Message, StringComparison.Ordinal);
        var overlapB = Assert.Throws<ArgumentException>(() =>
            Gemm.Compute(Transpose.No, Transpose.No, 2, 2, 2, 1f, new float[4], 2, buffer.AsSpan(0, 4), 2, 0f, buffer, 2));
        Assert.Contains("overlap b", overlapB.Message, StringComparison.Ordinal);

        // A and B may alias each other (A * A^T is a common product).
        float[] x = [1f, 2f, 3f, 4f];
        float[] c = new float[4];
        Gemm.Compute(Transpose.No, Transpose.Yes, 2, 2, 2, 1f, x, 2, x, 2, 0f, c, 2);
        Assert.Equal([5f, 11f, 11f, 25f], c);
    }

    [Fact]
    public void SteadyStateAllocatesNothing()
    {
        float[] a = new float[64 * 300], b = new float[300 * 300], c = new float[64 * 300];
        void Run()
        {
            Gemm.Compute(Transpose.No, Transpose.No, 64, 300, 300, 1f, a, 300, b, 300, 0f, c, 300);
            Gemm.Compute(Transpose.No, Transpose.Yes, 64, 300, 300, 1f, a, 300, b, 300, 1f, c, 300);
            Gemm.Compute(Transpose.Yes, Transpose.No, 300, 300, 64, 1f, a, 300, c, 300, 0f, b, 300);
            Gemm.Compute(Transpose.No, Transpose.No, 1, 300, 300, 1f, a, 300, b, 300, 0f, c, 300);
        }

        Run();
        Assert.Equal(0, SteadyStateAllocation.PerCall(Run));
    }

    private static void RunCase(IsaTier tier, Transpose ta, Transpose tb, int m, int n, int k, float alpha, float beta, int pad, int seed)
    {
        var random = new Random(seed);
        (int aRows, int aCols) = ta == Transpose.No ? (m, k) : (k, m);
        (int bRows, int bCols) = tb == Transpose.No ? (k, n) : (n, k);
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        float[] a = RandomArray(random, (aRows * lda) + 8);
        float[] b = RandomArray(random, (bRows * ldb) + 8);

        // C: the span ends exactly at its last used element; row padding and a guard region after it hold a sentinel.
        int cLength = ((m - 1) * ldc) + n;
        float[] c = new float[cLength + 16];
        Array.Fill(c, Sentinel);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                c[(i * ldc) + j] = beta == 0f ? float.NaN : (float)((random.NextDouble() * 2) - 1);
            }
        }

        float[] c0 = (float[])c.Clone();
        (double[] expected, double[] magnitude) = GemmReference.Compute(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c0, ldc);
        Gemm.Compute(tier, ta, tb, m, n, k, alpha, a.AsSpan(0, ((aRows - 1) * lda) + aCols), lda,
            b.AsSpan(0, ((bRows - 1) * ldb) + bCols), ldb, beta, c.AsSpan(0, cLength), ldc);

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc && (i * ldc) + j < c.Length; j++)
            {
                int index = (i * ldc) + j;
                if (j >= n)
                {
                    Assert.True(c[index] == Sentinel, $"{tier} {ta}{tb} m={m} n={n} k={k}: padding C[{i},{j}] was written");
                    continue;
                }

                double want = expected[(i * n) + j];
                double tolerance = GemmReference.Tolerance(k, magnitude[(i * n) + j]);
                if (!(Math.Abs(c[index] - want) <= tolerance))
                {
                    Assert.Fail($"{tier} {ta}{tb} m={m} n={n} k={k} alpha={alpha} beta={beta} pad={pad}: C[{i},{j}] = {c[index]}, expected {want} +- {tolerance}");
                }
            }
        }

        for (int g = cLength; g < c.Length; g++)
        {
            Assert.True(c[g] == Sentinel, $"{tier} {ta}{tb} m={m} n={n} k={k}: wrote past the end of C at +{g - cLength}");
        }
    }

    internal static float[] RandomArray(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
