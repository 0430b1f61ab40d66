using System.Runtime.CompilerServices;
using RnnKernels.Kernels;
using RnnKernels.Testing;

namespace RnnKernels.Kernels.Tests;

/// <summary>A product with a pre-packed B gives the bits of the plain product on the matrix it was packed from.</summary>
public sealed class PackedGemmTests
{
    public static TheoryData<IsaTier, Transpose, Transpose> PathsAndTransposes => GemmTests.PathsAndTransposes;

    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void MatchesThePlainProductBitwise(IsaTier tier, Transpose ta, Transpose tb)
    {
        var random = new Random(5);
        int[] ms = [2, 7, 8, 9, 17, 33, 65, 130]; // 130: more rows than one A block (MC = 128 or 144 rows).
        int[] ns = [1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65];
        int[] ks = [1, 9, 31, 257, 600]; // 257 and 600 span several k blocks (KC = 256).
        (float Alpha, float Beta)[] scalars = [(1f, 0f), (1f, 1f), (-0.5f, 2f), (0f, 0.5f)];
        var packed = new PackedMatrix(600, 65);
        int seed = 0;
        foreach (int m in ms)
        {
            foreach (int n in ns)
            {
                int k = ks[random.Next(ks.Length)];
                (float alpha, float beta) = scalars[seed++ % scalars.Length];
                int pad = seed % 3 == 0 ? 3 : 0; // Odd leading dimensions too.
                (int aRows, int aCols) = ta == Transpose.No ? (m, k) : (k, m);
                (int bRows, int bCols) = tb == Transpose.No ? (k, n) : (n, k);
                int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
                float[] a = GemmTests.RandomArray(random, ((aRows - 1) * lda) + aCols);
                float[] b = GemmTests.RandomArray(random, ((bRows - 1) * ldb) + bCols);
                float[] expected = GemmTests.RandomArray(random, ((m - 1) * ldc) + n);
                float[] c = (float[])expected.Clone();
                Gemm.Compute(tier, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
                packed.Pack(tier, tb, k, n, b, ldb);
                Gemm.Compute(ta, m, alpha, a, lda, packed, beta, c, ldc);
                Assert.True(expected.AsSpan().SequenceEqual(c), $"{tier} {ta}{tb} m={m} n={n} k={k} alpha={alpha} beta={beta} pad={pad}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void OneRowAgainstTheDoubleReference(IsaTier tier)
    {
        // One row takes a matrix-vector kernel, on B itself or on the packed panels, so each is checked against
        // float64: a last panel with padding, several k blocks (KC = 256), several passes of panels (333 columns), and
        // a transposed A (a strided column, gathered first).
        var random = new Random(6);
        foreach (int n in new[] { 1, 17, 65, 333 })
        {
            foreach (int k in new[] { 1, 33, 300 })
            {
                Transpose ta = n == 17 ? Transpose.Yes : Transpose.No;
                int lda = ta == Transpose.Yes ? 3 : k;
                float[] a = GemmTests.RandomArray(random, ta == Transpose.Yes ? k * lda : k), b = GemmTests.RandomArray(random, k * n), c = GemmTests.RandomArray(random, n);
                (double[] expected, double[] magnitude) = GemmReference.Compute(ta, Transpose.Yes, 1, n, k, 1.5f, a, lda, b, k, 0.5f, (float[])c.Clone(), n);
                var packed = new PackedMatrix(k, n);
                packed.Pack(tier, Transpose.Yes, k, n, b, k);
                Gemm.Compute(ta, 1, 1.5f, a, lda, packed, 0.5f, c, n);
                for (int j = 0; j < n; j++)
                {
                    Assert.True(Math.Abs(c[j] - expected[j]) <= GemmReference.Tolerance(k, magnitude[j]), $"{tier} n={n} k={k} C[{j}] = {c[j]}, expected {expected[j]}");
                }
            }
        }
    }

    [Fact]
    public void RepackingReplacesTheMatrixAndEmptyShapesWork()
    {
        var random = new Random(8);
        var packed = new PackedMatrix(40, 40);
        float[] a = GemmTests.RandomArray(random, 9 * 40), b = GemmTests.RandomArray(random, 40 * 40);
        float[] expected = new float[9 * 17], c = new float[9 * 17];
        packed.Pack(Transpose.No, 40, 40, b, 40);
        packed.Pack(Transpose.Yes, 20, 17, b, 40); // Smaller, transposed: nothing of the first packing may leak in.
        Gemm.Compute(Transpose.No, Transpose.Yes, 9, 17, 20, 1f, a, 40, b, 40, 0f, expected, 17);
        Gemm.Compute(Transpose.No, 9, 1f, a, 40, packed, 0f, c, 17);
        Assert.Equal(expected, c);
        Assert.Equal((20, 17), (packed.Rows, packed.Columns));

        packed.Pack(Transpose.No, 0, 5, [], 5); // k = 0: C = beta C.
        float[] scaled = [1f, 2f, 3f, 4f, 5f];
        Gemm.Compute(Transpose.No, 1, 1f, [], 1, packed, 2f, scaled, 5);
        Assert.Equal([2f, 4f, 6f, 8f, 10f], scaled);
    }

    [Fact]
    public void RejectsBadArgumentsWithTheirNames()
    {
        var packed = new PackedMatrix(8, 8);
        float[] a = new float[64], c = new float[64];
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Gemm.Compute(Transpose.No, 8, 1f, a, 8, packed, 0f, c, 8)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => packed.Pack(Transpose.No, 9, 8, new float[72], 8)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => packed.Pack(Transpose.No, 8, 9, new float[72], 9)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => packed.Pack(Transpose.No, 8, 8, new float[63], 8)).ParamName);
        Assert.Equal("ldb", Assert.Throws<ArgumentOutOfRangeException>(() => packed.Pack(Transpose.Yes, 8, 8, new float[64], 7)).ParamName);
        Assert.Equal("transB", Assert.Throws<ArgumentOutOfRangeException>(() => packed.Pack((Transpose)7, 8, 8, new float[64], 8)).ParamName);
        Assert.Equal("maxRows", Assert.Throws<ArgumentOutOfRangeException>(() => new PackedMatrix(-1, 8)).ParamName);
        Assert.Equal("maxColumns", Assert.Throws<ArgumentOutOfRangeException>(() => new PackedMatrix(1 << 20, 1 << 20)).ParamName);
        packed.Pack(Transpose.No, 8, 8, new float[64], 8);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Gemm.Compute(Transpose.No, 8, 1f, new float[63], 8, packed, 0f, c, 8)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Gemm.Compute(Transpose.No, 8, 1f, a, 8, packed, 0f, new float[63], 8)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Gemm.Compute(Transpose.No, 8, 1f, a, 8, packed, 0f, a, 8)).ParamName);
        Assert.Throws<ArgumentNullException>(() => Gemm.Compute(Transpose.No, 8, 1f, a, 8, null!, 0f, c, 8));
    }

    [Fact]
    public void PackingAndProductsAllocateNothing()
    {
        var random = new Random(9);
        float[] a = GemmTests.RandomArray(random, 64 * 300), b = GemmTests.RandomArray(random, 300 * 300), c = new float[64 * 300];
        var packed = new PackedMatrix(300, 300);
        void Run()
        {
            packed.Pack(Transpose.Yes, 300, 300, b, 300);
            Gemm.Compute(Transpose.No, 64, 1f, a, 300, packed, 0f, c, 300);
        }

        Run();
        Assert.Equal(0, SteadyStateAllocation.PerCall(Run));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AProductKeepsItsPackedMatrixAliveWhenTheCallerHoldsItNoLonger(int threads)
    {
        // The kernels read the panels through a raw pointer. A caller whose last use of the matrix is the product
        // must not see it collected (and its panels freed or reused) halfway: an epilogue, which runs inside the call
        // and, on a pool, while other threads still read the panels, collects and looks. Until tiered compilation
        // optimises a method it keeps every argument alive to the end, which would hide the fault; this project turns
        // tiering off, so the product runs optimised from its first call.
        using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
        var random = new Random(10);
        float[] a = GemmTests.RandomArray(random, 64 * 96), b = GemmTests.RandomArray(random, 96 * 96), c = new float[64 * 96];
        var epilogue = new CollectingEpilogue();
        for (int call = 0; call < 20; call++)
        {
            MultiplyByAMatrixNothingElseHolds(a, b, c, pool, epilogue);
            Assert.True(epilogue.CollectedDuringTheProduct == 0, $"call {call}: the matrix was collected while the product ran");
        }

        Assert.True(epilogue.Calls >= 20, $"the epilogue ran {epilogue.Calls} times");
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyByAMatrixNothingElseHolds(float[] a, float[] b, float[] c, WorkerPool? pool, CollectingEpilogue epilogue) =>
        Gemm.Compute(Transpose.No, 64, 1f, a, 96, Packed(b, epilogue), 0f, c, 96, pool, epilogue);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PackedMatrix Packed(float[] b, CollectingEpilogue epilogue)
    {
        var packed = new PackedMatrix(96, 96);
        packed.Pack(Transpose.No, 96, 96, b, 96);
        epilogue.Watch(packed);
        return packed;
    }

    /// <summary>Collects garbage on every block and counts the blocks after which the watched matrix was gone.</summary>
    private sealed class CollectingEpilogue : IGemmEpilogue
    {
        private readonly WeakReference<PackedMatrix?> _watched = new(null);
        private int _calls, _collected;

        public int Calls => _calls;

        public int CollectedDuringTheProduct => _collected;

        public void Watch(PackedMatrix matrix) => _watched.SetTarget(matrix);

        public void Apply(int rowStart, int rowCount, int columnStart, int columnCount)
        {
            GC.Collect(0); // Enough to see the young matrix go; its pinned panels would follow at a full collection.
            Interlocked.Increment(ref _calls);
            if (!_watched.TryGetTarget(out _))
            {
                Interlocked.Increment(ref _collected);
            }
        }
    }
}
