using System.Runtime.CompilerServices;
namespace RnnKernels.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major matrices: C = alpha * op(A) * op(B) + beta * C.
/// </summary>
/// <remarks>
/// <para>Shapes follow BLAS: op(A) is m x k, op(B) is k x n, C is m x n. Leading dimensions are row strides in
/// elements. A stored untransposed is m x k (lda &gt;= k); transposed it is stored k x m (lda &gt;= m). Likewise for B.</para>
/// <para>beta = 0 overwrites C without reading it (NaN or Inf in C do not propagate); beta = 1 accumulates, which is
/// how gradients summed over time steps are built. Elements of C between rows (ldc &gt; n) are never touched.</para>
/// <para>Stateless and thread-safe. Packing scratch (about 3.3 MB for a product with more than 128 rows, 0.2 MB
/// below) is rented per product from a small process-wide cache, so steady-state calls allocate nothing and the
/// memory kept is bounded by how many products ever ran at once, not by how many threads ran one;
/// <see cref="TrimScratch"/> releases it. C must not overlap A or B.</para>
/// </remarks>
public static unsafe class Gemm
{
    /// <summary>Bytes of packing scratch cached for later products (what <see cref="TrimScratch"/> would release).</summary>
    public static long CachedScratchBytes => GemmScratch.CachedBytes;

    /// <summary>
    /// Releases the packing scratch cached for later products, for hosts that are done computing for a while (the
    /// next product allocates its scratch again, once). Products running meanwhile are not affected.
    /// </summary>
    public static void TrimScratch() => GemmScratch.Trim();

    /// <summary>Computes C = alpha * op(A) * op(B) + beta * C on the widest instruction set available.</summary>
    /// <param name="transA">Whether A is used transposed.</param>
    /// <param name="transB">Whether B is used transposed.</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A, row-major.</param>
    /// <param name="lda">Row stride of A in elements.</param>
    /// <param name="b">Matrix B, row-major.</param>
    /// <param name="ldb">Row stride of B in elements.</param>
    /// <param name="beta">Scale of the existing C; 0 ignores what C held.</param>
    /// <param name="c">Matrix C, row-major, updated in place.</param>
    /// <param name="ldc">Row stride of C in elements.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a leading dimension is too small.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its shape needs, or C overlaps A or B.</exception>
    public static void Compute(
        Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Compute(KernelTiers.Best, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, null);

    /// <summary>
    /// The same product split over the threads of <paramref name="pool"/> by output tiles (column strips, or row
    /// strips when A is the larger operand, since each thread packs the whole of the operand it does not split).
    /// Every element of C is computed by one thread in the same order as on one thread, so the result is bitwise
    /// identical for any degree of parallelism.
    /// </summary>
    /// <param name="transA">Whether A is used transposed.</param>
    /// <param name="transB">Whether B is used transposed.</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A, row-major.</param>
    /// <param name="lda">Row stride of A in elements.</param>
    /// <param name="b">Matrix B, row-major.</param>
    /// <param name="ldb">Row stride of B in elements.</param>
    /// <param name="beta">Scale of the existing C; 0 ignores what C held.</param>
    /// <param name="c">Matrix C, row-major, updated in place.</param>
    /// <param name="ldc">Row stride of C in elements.</param>
    /// <param name="pool">Worker threads to use, or null for the calling thread only.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a leading dimension is too small.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its shape needs, or C overlaps A or B.</exception>
    /// <exception cref="InvalidOperationException">Called from a part of a region on the same pool.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="pool"/> has been disposed.</exception>
    public static void Compute(
        Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, WorkerPool? pool) =>
        Compute(KernelTiers.Best, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pool);

    /// <summary>
    /// The product split over <paramref name="pool"/> as above, with <paramref name="epilogue"/> applied to each block
    /// of C by the thread that computed it, as soon as the block is final (see <see cref="IGemmEpilogue"/>).
    /// </summary>
    /// <param name="transA">Whether A is used transposed.</param>
    /// <param name="transB">Whether B is used transposed.</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A, row-major.</param>
    /// <param name="lda">Row stride of A in elements.</param>
    /// <param name="b">Matrix B, row-major.</param>
    /// <param name="ldb">Row stride of B in elements.</param>
    /// <param name="beta">Scale of the existing C; 0 ignores what C held.</param>
    /// <param name="c">Matrix C, row-major, updated in place.</param>
    /// <param name="ldc">Row stride of C in elements.</param>
    /// <param name="pool">Worker threads to use, or null for the calling thread only.</param>
    /// <param name="epilogue">Work on each finished block of C; called once with the whole of C when not split.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a leading dimension is too small.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its shape needs, or C overlaps A or B.</exception>
    /// <exception cref="InvalidOperationException">Called from a part of a region on the same pool.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="pool"/> has been disposed.</exception>
    public static void Compute(
        Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, WorkerPool? pool,
        IGemmEpilogue epilogue)
    {
        ArgumentNullException.ThrowIfNull(epilogue);
        Compute(KernelTiers.Best, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pool, epilogue);
    }

    /// <summary>The same product on a chosen instruction-set tier (tests and benchmarks run every tier).</summary>
    internal static void Compute(
        IsaTier tier, Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, WorkerPool? pool = null,
        IGemmEpilogue? epilogue = null)
    {
        GemmArguments.Validate(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        if (!KernelTiers.IsSupported(tier))
        {
            throw new PlatformNotSupportedException($"Kernel tier {tier} is not supported by this process.");
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            if (pool is not null && pool.DegreeOfParallelism > 1 && GemmParallelWork.Worthwhile(m, n, k))
            {
                using Lock.Scope region = pool.EnterRegion();
                GemmParallelWork work = pool.Work<GemmParallelWork>();
                work.Set(tier, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, epilogue);
                pool.Run(work, work.Partition(pool.DegreeOfParallelism));
                return;
            }

            Serial(tier, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }

        epilogue?.Apply(0, m, 0, n);
    }

    /// <summary>
    /// C = alpha * op(A) * B + beta * C with B packed beforehand (k = <see cref="PackedMatrix.Rows"/>,
    /// n = <see cref="PackedMatrix.Columns"/>), split over <paramref name="pool"/> by row strips (each thread packs only
    /// its own rows of A and reads the shared panels of B), with <paramref name="epilogue"/> applied to each finished
    /// block of C. Bitwise identical for any degree of parallelism, and to the unpacked product when m &gt; 1.
    /// </summary>
    /// <param name="transA">Whether A is used transposed.</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A, row-major.</param>
    /// <param name="lda">Row stride of A in elements.</param>
    /// <param name="b">The packed right-hand side.</param>
    /// <param name="beta">Scale of the existing C; 0 ignores what C held.</param>
    /// <param name="c">Matrix C, row-major, updated in place.</param>
    /// <param name="ldc">Row stride of C in elements.</param>
    /// <param name="pool">Worker threads to use, or null for the calling thread only.</param>
    /// <param name="epilogue">Work on each finished block of C, or null.</param>
    /// <exception cref="ArgumentException">b was never packed, b was packed for one-row products (<see cref="PackedLayout.OneRow"/>) and m &gt; 1, a span is shorter than its shape needs, or C overlaps A.</exception>
    public static void Compute(
        Transpose transA, int m, float alpha, ReadOnlySpan<float> a, int lda, PackedMatrix b, float beta, Span<float> c, int ldc,
        WorkerPool? pool = null, IGemmEpilogue? epilogue = null)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (!b.IsPacked)
        {
            throw new ArgumentException("b has not been packed: call PackedMatrix.Pack before multiplying by it.", nameof(b));
        }

        int n = b.Columns, k = b.Rows;
        GemmArguments.Validate(transA, Transpose.No, m, n, k, a, lda, [], Math.Max(1, n), c, ldc, checkB: false);
        if (b.Layout == PackedLayout.OneRow && m > 1)
        {
            throw new ArgumentException($"b was packed for one-row products (PackedLayout.OneRow), and this product has {m} rows.", nameof(b));
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        fixed (float* pa = a, pc = c)
        {
            if (b.Layout == PackedLayout.OneRow)
            {
                OneRow(b.Tier, transA, n, k, alpha, pa, lda, b.Groups, beta, pc, pool, epilogue);
            }
            else if (pool is not null && pool.DegreeOfParallelism > 1 && GemmParallelWork.Worthwhile(m, n, k))
            {
                using Lock.Scope region = pool.EnterRegion();
                GemmParallelWork work = pool.Work<GemmParallelWork>();
                work.Set(b.Tier, transA, Transpose.No, m, n, k, alpha, pa, lda, null, 0, beta, pc, ldc, epilogue, b.Panels);
                pool.Run(work, work.Partition(pool.DegreeOfParallelism));
            }
            else
            {
                Serial(b.Tier, transA, Transpose.No, m, n, k, alpha, pa, lda, null, 0, beta, pc, ldc, packedB: b.Panels);
                epilogue?.Apply(0, m, 0, n);
            }
        }

        // The kernels read b's panels through a raw pointer, which does not root b: a caller whose last use of b is
        // this call would otherwise let the collector free the panels while the product (or an epilogue, with other
        // threads still reading them) runs, once the JIT has optimised this method.
        GC.KeepAlive(b);
    }

    /// <summary>
    /// The product on the calling thread, for validated pointers. <paramref name="singleRowAsGemv"/> false keeps a
    /// one-row strip of a larger product on the tiled path, so it rounds exactly as it would inside the whole product.
    /// When <paramref name="packedB"/> holds panels, they are B (and <paramref name="pb"/> is not read).
    /// </summary>
    internal static void Serial(
        IsaTier tier, Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        float* pa, nint lda, float* pb, nint ldb, float beta, float* pc, nint ldc, bool singleRowAsGemv = true,
        PackedPanels packedB = default)
    {
        if (k == 0 || alpha == 0f)
        {
            // BLAS semantics: the product is exactly zero, A and B are not read.
            ScaleRows(m, n, beta, pc, ldc);
            return;
        }

        if (m == 1 && singleRowAsGemv)
        {
            GemmScratch? scratch = RowVector(transA, pa, lda, k, out float* x);
            if (packedB.Data == null)
            {
                Gemv.Run(tier, transB, n, k, alpha, x, pb, ldb, beta, pc);
            }
            else
            {
                Gemv.RunPacked(tier, n, k, alpha, x, packedB, beta, pc);
            }

            ReturnScratch(scratch);
            return;
        }

        switch (tier)
        {
            case IsaTier.Avx512:
                GemmDriver<GemmKernelAvx512>.Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, packedB);
                break;
            case IsaTier.Avx2Fma:
                GemmDriver<GemmKernelAvx2>.Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, packedB);
                break;
            case IsaTier.Neon:
                GemmDriver<GemmKernelNeon>.Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, packedB);
                break;
            case IsaTier.Vector128:
                GemmDriver<GemmKernelVector128>.Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, packedB);
                break;
            default:
                GemmDriver<GemmKernelScalar>.Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, packedB);
                break;
        }
    }

    /// <summary>The product with a <see cref="PackedLayout.OneRow"/> matrix (m = 1), its column groups split over the pool where worthwhile.</summary>
    private static void OneRow(
        IsaTier tier, Transpose transA, int n, int k, float alpha, float* pa, nint lda, float* groups, float beta, float* pc,
        WorkerPool? pool, IGemmEpilogue? epilogue)
    {
        if (k == 0 || alpha == 0f)
        {
            ScaleRows(1, n, beta, pc, n); // As Serial: the product is exactly zero, A and B are not read.
            epilogue?.Apply(0, 1, 0, n);
            return;
        }

        GemmScratch? scratch = RowVector(transA, pa, lda, k, out float* x);
        if (pool is not null && pool.DegreeOfParallelism > 1 && OneRowParallelWork.Worthwhile(n, k))
        {
            using Lock.Scope region = pool.EnterRegion();
            OneRowParallelWork work = pool.Work<OneRowParallelWork>();
            work.Set(tier, n, k, alpha, x, groups, beta, pc, epilogue);
            pool.Run(work, work.Partition(pool.DegreeOfParallelism));
        }
        else
        {
            Gemv.RunOneRow(tier, n, k, alpha, x, groups, beta, pc);
            epilogue?.Apply(0, 1, 0, n);
        }

        ReturnScratch(scratch);
    }

    /// <summary>
    /// op(A) of a one-row product as a contiguous vector: A itself, or its strided column (stored k x 1) copied into
    /// rented scratch, which the caller gives back with <see cref="ReturnScratch"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static GemmScratch? RowVector(Transpose transA, float* a, nint lda, int k, out float* x)
    {
        if (transA == Transpose.No || k == 1)
        {
            x = a;
            return null;
        }

        GemmScratch scratch = GemmScratch.Rent();
        x = scratch.Edge(k);
        for (int p = 0; p < k; p++)
        {
            x[p] = a[p * lda];
        }

        return scratch;
    }

    private static void ReturnScratch(GemmScratch? scratch)
    {
        if (scratch is not null)
        {
            GemmScratch.Return(scratch);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleRows(int m, int n, float beta, float* c, nint ldc)
    {
        for (int i = 0; i < m; i++)
        {
            Span<float> row = new(c + (i * ldc), n);
            if (beta == 0f)
            {
                row.Clear();
            }
            else if (beta != 1f)
            {
                Elementwise.Scale(row, beta, row);
            }
        }
    }
}
