namespace RnnKernels.Kernels;

/// <summary>
/// Where the micro-panels of a pre-packed op(B) are (see <see cref="PackedMatrix"/>): for each k block of depth kc
/// starting at pc, ceil(n/NR) panels of kc x NR, the block starting at pc * <see cref="PaddedColumns"/>.
/// <see cref="Column"/> shifts every lookup, so a column strip of the product reads its own panels.
/// </summary>
internal readonly unsafe struct PackedPanels(float* data, int paddedColumns, int column)
{
    /// <summary>The first packed value, or null when B is packed by the driver itself.</summary>
    public float* Data { get; } = data;

    /// <summary>Columns of op(B) rounded up to a multiple of NR.</summary>
    public int PaddedColumns { get; } = paddedColumns;

    /// <summary>Column of op(B) that column 0 of this product reads (a multiple of NR).</summary>
    public int Column { get; } = column;

    /// <summary>The panel of the k block at <paramref name="pc"/> (depth <paramref name="kc"/>) that holds column <paramref name="j"/>.</summary>
    public float* Panel(int pc, int kc, int j) => Data + ((nint)pc * PaddedColumns) + ((nint)(Column + j) * kc);

    /// <summary>The same panels for a product whose column 0 is column <paramref name="start"/> of this one.</summary>
    public PackedPanels From(int start) => new(Data, PaddedColumns, Column + start);
}
