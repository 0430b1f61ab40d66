namespace RnnKernels.Kernels;

/// <summary>
/// Splits one GEMM over a <see cref="WorkerPool"/> by output strips. Strip boundaries fall on multiples of the
/// micro-kernel's tile (NR columns or MR rows; 4 vectors of columns for the M = 1 path, whose last strip is never
/// narrower than one vector, as the columns short of a vector are computed as the row's last full vector), so every
/// element sees the same tile, the same k order and the same edge handling as on one thread: bitwise identical
/// results for any thread count. Row strips of the kernels that run any row count the way they run a whole tile
/// (<see cref="IGemmMicroKernel.RunsEveryRowCount"/>) may end anywhere, as their rows come out the same in any tile.
/// One instance per pool, reused (no allocation per call).
/// </summary>
internal sealed unsafe class GemmParallelWork : IParallelWork
{
    // Below this many multiply-adds the wake-up of the workers costs more than it saves.
    private const long MinimumWork = 1 << 19;

    // Fewest rows in a row strip of a kernel that runs every row count the same (fewer leave too little per B load).
    private const int MinimumRowStrip = 4;

    private IsaTier _tier;
    private Transpose _transA, _transB;
    private int _m, _n, _k, _chunk, _parts;
    private float _alpha, _beta;
    private float* _a, _b, _c;
    private nint _lda, _ldb, _ldc;
    private bool _splitColumns;
    private IGemmEpilogue? _epilogue;
    private PackedPanels _packedB;

    public static bool Worthwhile(int m, int n, int k) => (long)m * n * k >= MinimumWork;

    public void Set(IsaTier tier, Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc, IGemmEpilogue? epilogue,
        PackedPanels packedB = default)
    {
        _epilogue = epilogue;
        _packedB = packedB;
        (_tier, _transA, _transB, _m, _n, _k, _alpha, _beta) = (tier, transA, transB, m, n, k, alpha, beta);
        _a = a;
        _b = b;
        _c = c;
        (_lda, _ldb, _ldc) = (lda, ldb, ldc);
    }

    /// <summary>Chooses strips for up to <paramref name="threads"/> parts and returns how many parts there are.</summary>
    public int Partition(int threads)
    {
        (int mr, int nr) = GemmGeometry.Tile(_tier);
        int lanes = LaneDispatch.Width(_tier);
        int columnGrain = _m == 1 ? 4 * lanes : nr;
        int columnStrips = (_n + columnGrain - 1) / columnGrain;
        int rowStrips = (_m + mr - 1) / mr;
        if (GemmGeometry.RunsEveryRowCount(_tier))
        {
            // Such a kernel computes a row the same in any tile (see below), so its rows may split below the tile, in
            // strips of four rows or more: a batch of 8 on the 8-row AVX-512 tile goes 4 + 4, each thread updating its
            // own rows in the step's epilogue, rather than by columns, whose epilogue is left to the caller.
            rowStrips = Math.Max(rowStrips, _m / MinimumRowStrip);
        }

        // A column split makes every thread pack all of A, a row split makes every thread pack all of B: duplicate
        // the smaller one (for M = 1 there are no row strips). A B packed beforehand is shared as it is, so rows then:
        // each thread packs only its own rows of A, which in a recurrence are the rows it wrote the step before.
        bool rowsFirst = _packedB.Data != null || _n < _m || columnStrips < 2;
        _splitColumns = _m == 1 || rowStrips < 2 || !rowsFirst;
        int strips = _splitColumns ? columnStrips : rowStrips;
        int grain = _splitColumns ? columnGrain : mr;
        int parts = Math.Min(threads, strips);
        _chunk = (strips + parts - 1) / parts * grain;
        if (!_splitColumns && GemmGeometry.RunsEveryRowCount(_tier))
        {
            // Where a tile of any row count runs the same code per row as a whole tile (the update included), a row
            // computes the same bits in any tile, so the rows split evenly: 16 rows on the 6-row AVX2 tile as 8 + 8,
            // not 12 + 4.
            _chunk = (_m + parts - 1) / parts;
        }
        int extent = _splitColumns ? _n : _m;
        _parts = (extent + _chunk - 1) / _chunk;
        if (_m == 1 && _parts > 1 && extent - ((_parts - 1) * _chunk) < lanes)
        {
            _parts--; // The short last strip joins the one before it (see the remark on the M = 1 path above).
        }

        return _parts;
    }

    /// <summary>The part's rows or columns: parts on tile boundaries differ in size (16 rows as 12 and 4 on a 6-row tile).</summary>
    public long Weight(int part, int parts)
    {
        int start = part * _chunk, extent = _splitColumns ? _n : _m;
        return part == _parts - 1 ? extent - start : Math.Min(_chunk, extent - start);
    }

    public void Execute(int part, int parts)
    {
        int start = part * _chunk;
        if (_splitColumns)
        {
            int count = part == _parts - 1 ? _n - start : _chunk;
            float* b = _transB == Transpose.No ? _b + start : _b + (start * _ldb);
            PackedPanels packedB = _packedB.Data == null ? default : _packedB.From(start);
            Gemm.Serial(_tier, _transA, _transB, _m, count, _k, _alpha, _a, _lda, b, _ldb, _beta, _c + start, _ldc, packedB: packedB);
            _epilogue?.Apply(0, _m, start, count);
        }
        else
        {
            int count = Math.Min(_m, start + _chunk) - start;
            float* a = _transA == Transpose.No ? _a + (start * _lda) : _a + start;
            // A last strip of one row stays on the tiled path: the whole product (M > 1) would not use the GEMV.
            Gemm.Serial(_tier, _transA, _transB, count, _n, _k, _alpha, a, _lda, _b, _ldb, _beta, _c + (start * _ldc), _ldc, singleRowAsGemv: false, _packedB);
            _epilogue?.Apply(start, count, 0, _n);
        }
    }
}
