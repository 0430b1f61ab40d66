namespace RnnKernels.Kernels;

/// <summary>
/// The right-hand operand op(B) of many products, packed once into the GEMM micro-kernel's panel layout (or, for
/// one-row products, the matrix-vector kernel's: <see cref="PackedLayout"/>). An RNN
/// multiplies every time step's state by the same recurrent weights; a plain <see cref="Gemm"/> call re-packs them
/// at every step (and with several threads, each thread packs its share of them at every step). Packing once per
/// pass removes that work, as MKL's <c>cblas_sgemm_pack</c>/<c>cblas_sgemm_compute</c> and fbgemm's pre-packed weights
/// do. Multiply with <see cref="Gemm.Compute(Transpose, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int, WorkerPool?, IGemmEpilogue?)"/>.
/// </summary>
/// <remarks>
/// <para>The buffer is allocated once, by the constructor, for the largest shape given there; <see cref="Pack(Transpose, int, int, ReadOnlySpan{float}, int, WorkerPool?)"/>
/// allocates nothing. The layout belongs to the instruction-set tier that packed it, and products read it on that
/// tier. A product with a packed B gives the same bits as <see cref="Gemm"/> on the matrix it was packed from when
/// m &gt; 1; one row takes a matrix-vector kernel, on the panels or the one-row groups here and on B itself in the
/// plain product, each summing in its own order.</para>
/// <para>Packing while a product reads the matrix is a race; the caller orders the two.</para>
/// </remarks>
public sealed unsafe class PackedMatrix
{
    private readonly float[] _buffer;

    /// <summary>Allocates room for op(B) up to <paramref name="maxRows"/> x <paramref name="maxColumns"/> (k x n), in panels for products of any row count.</summary>
    /// <param name="maxRows">Largest k to be packed.</param>
    /// <param name="maxColumns">Largest n to be packed.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the packed matrix would exceed an array's size.</exception>
    public PackedMatrix(int maxRows, int maxColumns)
        : this(maxRows, maxColumns, PackedLayout.Panels)
    {
    }

    /// <summary>Allocates room for op(B) up to <paramref name="maxRows"/> x <paramref name="maxColumns"/> (k x n), laid out for <paramref name="layout"/>.</summary>
    /// <param name="maxRows">Largest k to be packed.</param>
    /// <param name="maxColumns">Largest n to be packed.</param>
    /// <param name="layout">The products the matrix is for: any row count, or one row only.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, the packed matrix would exceed an array's size, or the layout is not defined.</exception>
    public PackedMatrix(int maxRows, int maxColumns, PackedLayout layout)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        ArgumentOutOfRangeException.ThrowIfNegative(maxColumns);
        if (layout is not (PackedLayout.Panels or PackedLayout.OneRow))
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "layout must be PackedLayout.Panels or PackedLayout.OneRow.");
        }

        // Panels pad n to the widest NR; one-row groups pad it less, to whole vectors.
        long floats = ((long)maxRows * RoundUp(maxColumns, GemmGeometry.MaxNR)) + GemmScratch.AlignFloats;
        if (floats > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(maxColumns), maxColumns,
                $"A packed {maxRows} x {maxColumns} matrix needs {floats} floats, more than an array holds ({Array.MaxLength}).");
        }

        MaxRows = maxRows;
        MaxColumns = maxColumns;
        Layout = layout;
        // Pinned (POH) so the panels' address is stable for the kernels' raw pointers; they start on a cache line.
        _buffer = GC.AllocateUninitializedArray<float>((int)floats, pinned: true);
    }

    /// <summary>
    /// Whether a series of one-row products reads op(B) faster packed with <see cref="PackedLayout.OneRow"/> than in
    /// place, on this process's tier: always for B used transposed (read in place, each output is a dot product
    /// reduced across lanes), and for B itself except on AVX-512, whose 64-byte loads stream a row-major B at any
    /// alignment as fast as the packed groups; 256- and 128-bit loads need the alignment the groups give (figures:
    /// docs/design-notes.md).
    /// </summary>
    /// <param name="transB">Whether B is used transposed.</param>
    public static bool PaysForOneRow(Transpose transB) => transB == Transpose.Yes || KernelTiers.Best != IsaTier.Avx512;

    /// <summary>Bytes of the packed buffer.</summary>
    public long Bytes => (long)_buffer.Length * sizeof(float);

    /// <summary>The products the matrix is for (<see cref="PackedLayout"/>).</summary>
    public PackedLayout Layout { get; }

    /// <summary>Largest k this matrix can hold.</summary>
    public int MaxRows { get; }

    /// <summary>Largest n this matrix can hold.</summary>
    public int MaxColumns { get; }

    /// <summary>Rows k of op(B) as last packed (0 before the first <see cref="Pack(Transpose, int, int, ReadOnlySpan{float}, int, WorkerPool?)"/>).</summary>
    public int Rows { get; private set; }

    /// <summary>Columns n of op(B) as last packed (0 before the first <see cref="Pack(Transpose, int, int, ReadOnlySpan{float}, int, WorkerPool?)"/>).</summary>
    public int Columns { get; private set; }

    /// <summary>Whether <see cref="Pack(Transpose, int, int, ReadOnlySpan{float}, int, WorkerPool?)"/> has run, so products can read the matrix.</summary>
    public bool IsPacked { get; private set; }

    /// <summary>The instruction-set tier whose micro-kernel layout the matrix holds.</summary>
    internal IsaTier Tier { get; private set; }

    /// <summary>Where the panels are, for the GEMM driver (<see cref="PackedLayout.Panels"/>).</summary>
    internal PackedPanels Panels => new(GemmScratch.Aligned(_buffer), RoundUp(Columns, GemmGeometry.Tile(Tier).NR), 0);

    /// <summary>Where the column groups are, for the matrix-vector kernel (<see cref="PackedLayout.OneRow"/>).</summary>
    internal float* Groups => GemmScratch.Aligned(_buffer);

    /// <summary>
    /// Packs op(B), k x n, replacing what the matrix held; panels are split over <paramref name="pool"/>'s threads,
    /// one-row groups are packed on the calling thread.
    /// </summary>
    /// <param name="transB">Whether B is used transposed (stored n x k).</param>
    /// <param name="k">Rows of op(B), 0..<see cref="MaxRows"/>.</param>
    /// <param name="n">Columns of op(B), 0..<see cref="MaxColumns"/>.</param>
    /// <param name="b">Matrix B, row-major.</param>
    /// <param name="ldb">Row stride of B in elements.</param>
    /// <param name="pool">Worker threads to use, or null for the calling thread only.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range or ldb is too small.</exception>
    /// <exception cref="ArgumentException">b is shorter than its shape needs.</exception>
    public void Pack(Transpose transB, int k, int n, ReadOnlySpan<float> b, int ldb, WorkerPool? pool = null) =>
        Pack(KernelTiers.Best, transB, k, n, b, ldb, pool);

    /// <summary>The same on a chosen instruction-set tier (tests run every tier).</summary>
    internal void Pack(IsaTier tier, Transpose transB, int k, int n, ReadOnlySpan<float> b, int ldb, WorkerPool? pool = null)
    {
        if (transB is not (Transpose.No or Transpose.Yes))
        {
            throw new ArgumentOutOfRangeException(nameof(transB), transB, "transB must be Transpose.No or Transpose.Yes.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, MaxRows);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, MaxColumns);
        (int rows, int columns) = transB == Transpose.No ? (k, n) : (n, k);
        GemmArguments.Needed(rows, columns, ldb, b.Length, nameof(b), nameof(ldb), transB);
        if (!KernelTiers.IsSupported(tier))
        {
            throw new PlatformNotSupportedException($"Kernel tier {tier} is not supported by this process.");
        }

        (Tier, Rows, Columns, IsPacked) = (tier, k, n, true);
        if (k == 0 || n == 0)
        {
            return;
        }

        int nr = GemmGeometry.Tile(tier).NR, kc = GemmGeometry.KC(tier), panels = (n + nr - 1) / nr;
        fixed (float* pb = b)
        {
            if (Layout == PackedLayout.OneRow)
            {
                OneRowPacking.Pack(tier, transB, k, n, pb, ldb, Groups);
            }
            else if (pool is { DegreeOfParallelism: > 1 } && (long)k * n >= GemmPackWork.MinimumWork)
            {
                using Lock.Scope region = pool.EnterRegion();
                GemmPackWork work = pool.Work<GemmPackWork>();
                work.Set(transB, k, n, pb, ldb, nr, kc, Panels);
                pool.Run(work, Math.Min(pool.DegreeOfParallelism, panels));
            }
            else
            {
                GemmPackWork.PackPanels(transB, k, n, pb, ldb, nr, kc, Panels, 0, panels);
            }
        }

        // The panels are written through a raw pointer, which does not root this matrix (see Gemm.Compute).
        GC.KeepAlive(this);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
