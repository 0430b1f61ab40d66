using System.Runtime.CompilerServices;

namespace RnnKernels.Kernels;

/// <summary>
/// Where the GEMM driver's micro-panels of op(B) come from, decided once per call before the loops (BLIS's pack
/// schema), so the driver's loops only ask for the next panel.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="BPanelSchema.Prepacked"/>: panels packed beforehand (<see cref="PackedMatrix"/>); B is not read.</item>
/// <item><see cref="BPanelSchema.Block"/>: with more rows than one A block, the whole KC x NC block of B is packed once
/// per k block and reused by every A block.</item>
/// <item><see cref="BPanelSchema.InPlace"/>: when M fits in one A block (the batch x weights shape RNNs live on), an
/// untransposed B's full micro-panels are read where they are, NR contiguous values per stored row, as BLIS's
/// small-matrix path does: with so few row tiles per panel, copying the panel cost more than the tiles reading it from
/// L2.</item>
/// <item><see cref="BPanelSchema.Groups"/>: the exception to that, a row stride that is a multiple of 4 KiB with more
/// than one row tile: every row of the panel then maps to the same few cache sets, so the panels are packed
/// <see cref="GemmGeometry.PanelGroupColumns"/> columns at a time just before their row tiles use them, eight stored
/// rows at a time (packing them one by one, kc rows ldb apart, was much slower: docs/design-notes.md).</item>
/// <item><see cref="BPanelSchema.OneAtATime"/>: a transposed B's panels are packed one at a time just before use.</item>
/// </list>
/// The narrow last panel of an unpacked B is always packed on its own, zero-padded to NR.
/// </remarks>
internal readonly unsafe struct BPanelSource
{
    private readonly BPanelSchema _schema;
    private readonly Transpose _transB;
    private readonly float* _b;
    private readonly nint _ldb;
    private readonly float* _packed;
    private readonly PackedPanels _prepacked;
    private readonly int _nr;

    private BPanelSource(BPanelSchema schema, Transpose transB, float* b, nint ldb, float* packed, PackedPanels prepacked, int nr)
    {
        _schema = schema;
        _transB = transB;
        _b = b;
        _ldb = ldb;
        _packed = packed;
        _prepacked = prepacked;
        _nr = nr;
    }

    /// <summary>Chooses the schema for a product of <paramref name="m"/> rows and takes the packing buffer it needs from <paramref name="scratch"/>.</summary>
    public static BPanelSource Choose<TKernel>(Transpose transB, int m, float* b, nint ldb, PackedPanels prepacked, GemmScratch scratch)
        where TKernel : struct, IGemmMicroKernel
    {
        if (prepacked.Data != null)
        {
            return new(BPanelSchema.Prepacked, transB, b, ldb, null, prepacked, TKernel.NR);
        }

        if (m > TKernel.MC)
        {
            return new(BPanelSchema.Block, transB, b, ldb, scratch.BlockB(TKernel.KC * TKernel.NC), default, TKernel.NR);
        }

        BPanelSchema schema = transB == Transpose.Yes ? BPanelSchema.OneAtATime
            : m <= TKernel.MR || ldb % 1024 != 0 ? BPanelSchema.InPlace // 1024 floats = 4 KiB
            : BPanelSchema.Groups;
        return new(schema, transB, b, ldb, scratch.PanelGroupB(TKernel.KC * GemmGeometry.PanelGroupColumns), default, TKernel.NR);
    }

    /// <summary>At the start of the k block at <paramref name="pc"/> of the column block at <paramref name="jc"/>: packs the block where the schema packs whole blocks.</summary>
    public void StartBlock(int pc, int jc, int kc, int nc)
    {
        if (_schema == BPanelSchema.Block)
        {
            GemmPacking.PackB(_transB, _b, _ldb, pc, jc, kc, nc, _nr, _packed);
        }
    }

    /// <summary>
    /// The micro-panel of columns [jc + jr, jc + jr + nr) of the k block at <paramref name="pc"/> (columns
    /// <paramref name="nc"/> in the column block), packing it first where the schema says so, and the distance
    /// between its k rows in <paramref name="stride"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Panel(int pc, int kc, int jc, int jr, int nc, int nr, out nint stride)
    {
        stride = _nr;
        switch (_schema)
        {
            case BPanelSchema.Prepacked:
                return _prepacked.Panel(pc, kc, jc + jr);
            case BPanelSchema.Block:
                return _packed + ((nint)jr * kc);
            case BPanelSchema.InPlace when nr == _nr:
                stride = _ldb;
                return _b + (pc * _ldb) + jc + jr;
            case BPanelSchema.Groups when nr == _nr:
                int inGroup = jr % GemmGeometry.PanelGroupColumns;
                if (inGroup == 0)
                {
                    int groupColumns = Math.Min(GemmGeometry.PanelGroupColumns, (nc - jr) / _nr * _nr);
                    GemmPacking.PackB(_transB, _b, _ldb, pc, jc + jr, kc, groupColumns, _nr, _packed);
                }

                return _packed + ((nint)inGroup * kc);
            default:
                GemmPacking.PackBPanel(_transB, _b, _ldb, pc, jc + jr, kc, nr, _nr, _packed);
                return _packed;
        }
    }
}
