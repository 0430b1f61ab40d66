namespace RnnKernels.Kernels;

/// <summary>
/// A BLIS-style register-tile micro-kernel: the only ISA-specific part of GEMM. Everything else (blocking, packing,
/// edge tiles) lives once in <see cref="GemmDriver{TKernel}"/>.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>Rows of the register tile (rows of C per call).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile (columns of C per call).</summary>
    static abstract int NR { get; }

    /// <summary>Rows of A kept packed in L2 per block (a multiple of MR).</summary>
    static abstract int MC { get; }

    /// <summary>Depth of one packed block (the k extent shared by the A and B panels).</summary>
    static abstract int KC { get; }

    /// <summary>Columns of B kept packed in L3 per block (a multiple of NR).</summary>
    static abstract int NC { get; }

    /// <summary>
    /// C[i, j] = alpha * sum_p a[p*MR + i] * b[p*ldb + j] + beta * C[i, j] for i &lt; MR, j &lt; NR,
    /// C row-major with leading dimension <paramref name="ldc"/>. beta == 0 never reads C (it may hold NaN).
    /// </summary>
    /// <param name="kc">Depth of the product.</param>
    /// <param name="a">Packed A micro-panel: MR values per k step.</param>
    /// <param name="b">B micro-panel: NR contiguous values per k step.</param>
    /// <param name="ldb">Floats from one k step of the B panel to the next: NR when packed, B's row stride when read in place.</param>
    /// <param name="c">Top-left element of the C tile.</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="beta">Scale of the existing C.</param>
    static abstract void Run(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta);

    /// <summary>
    /// True when <see cref="TryRunRows"/> computes every row count from 1 to MR - 1 directly. The driver then balances
    /// the last row tiles of a block (<see cref="RowTiles.Next"/>); kernels whose short tiles go through a buffer and a
    /// merge keep whole tiles, so an element's arithmetic never depends on how M was split into thread strips.
    /// </summary>
    static virtual bool RunsEveryRowCount => false;

    /// <summary>
    /// The same product for the first <paramref name="rows"/> &lt; MR rows of the tile (the A panel still holds MR
    /// values per k step), written to C directly, when the kernel has a shape for that many rows; returns false (and
    /// touches nothing) otherwise, and the driver computes a whole tile aside and merges its valid part. Every element
    /// is computed as in <see cref="Run"/>: the same k order, fused multiply-adds and alpha/beta update.
    /// </summary>
    /// <param name="rows">Valid rows of the tile, 1 to MR - 1.</param>
    /// <param name="kc">Depth of the product.</param>
    /// <param name="a">Packed A micro-panel: MR values per k step.</param>
    /// <param name="b">B micro-panel: NR contiguous values per k step.</param>
    /// <param name="ldb">Floats from one k step of the B panel to the next: NR when packed, B's row stride when read in place.</param>
    /// <param name="c">Top-left element of the C tile.</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="beta">Scale of the existing C.</param>
    /// <returns>True when the rows were computed.</returns>
    static virtual bool TryRunRows(int rows, nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta) => false;

    /// <summary>
    /// The product of the first <paramref name="rows"/> (1 to MR) rows and the first NR / 2 columns of the tile, into
    /// a tile buffer the driver merges, for a last panel whose valid columns fit that half (its padding is zeros); false
    /// (and nothing touched) when the kernel has no such shape. A whole tile there would spend more than half its FMAs
    /// on padding: the 65 columns of a charrnn output are four 16-wide panels and one column on AVX2. Each element is
    /// computed as in <see cref="Run"/>.
    /// </summary>
    /// <param name="rows">Valid rows of the tile, 1 to MR.</param>
    /// <param name="kc">Depth of the product.</param>
    /// <param name="a">Packed A micro-panel: MR values per k step.</param>
    /// <param name="b">B micro-panel: NR contiguous values per k step, of which the first NR / 2 are read.</param>
    /// <param name="ldb">Floats from one k step of the B panel to the next.</param>
    /// <param name="c">Top-left element of the C tile.</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="beta">Scale of the existing C.</param>
    /// <returns>True when the half tile was computed.</returns>
    static virtual bool TryRunHalfWidth(int rows, nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta) => false;
}
