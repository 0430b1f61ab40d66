namespace RnnKernels.Kernels;

/// <summary>
/// Splits a one-row product with a <see cref="PackedLayout.OneRow"/> matrix over a <see cref="WorkerPool"/> by whole
/// column groups: each group is one pass of the matrix-vector kernel whichever thread runs it, so every column comes
/// out bitwise the same for any thread count. One instance per pool, reused (no allocation per call).
/// </summary>
internal sealed unsafe class OneRowParallelWork : IParallelWork
{
    // Below this many multiply-adds a region costs more than half the product. Lower than a tiled product's threshold:
    // a one-row product reads its whole matrix for one row of output, so it is bound by the cache the matrix comes
    // from, and each thread keeps its own share of the matrix in its own cache from one step to the next.
    private const long MinimumWork = 1 << 16;
    private IsaTier _tier;
    private int _n, _k, _groups;
    private float _alpha, _beta;
    private float* _x, _packed, _c;
    private IGemmEpilogue? _epilogue;

    public void Set(IsaTier tier, int n, int k, float alpha, float* x, float* packed, float beta, float* c, IGemmEpilogue? epilogue)
    {
        (_tier, _n, _k, _alpha, _beta) = (tier, n, k, alpha, beta);
        _x = x;
        _packed = packed;
        _c = c;
        _epilogue = epilogue;
        _groups = Gemv.OneRowGroups(tier, n);
    }

    /// <summary>Whether a product of n columns and depth k is worth splitting.</summary>
    public static bool Worthwhile(int n, int k) => (long)n * k >= MinimumWork;

    /// <summary>How many parts the product has for up to <paramref name="threads"/> threads: one group at least each.</summary>
    public int Partition(int threads) => Math.Min(threads, _groups);

    /// <summary>The part's column groups (groups are balanced, within one vector of each other).</summary>
    public long Weight(int part, int parts) => ((long)_groups * (part + 1) / parts) - ((long)_groups * part / parts);

    public void Execute(int part, int parts)
    {
        int first = (int)((long)_groups * part / parts), end = (int)((long)_groups * (part + 1) / parts);
        (int start, int columns) = Gemv.RunOneRow(_tier, _n, _k, _alpha, _x, _packed, _beta, _c, first, end);
        _epilogue?.Apply(0, 1, start, columns);
    }
}
