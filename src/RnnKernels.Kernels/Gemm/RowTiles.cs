namespace RnnKernels.Kernels;

/// <summary>How the rows of an A block are cut into row tiles of at most MR rows, for its packing and its products.</summary>
internal static class RowTiles
{
    /// <summary>
    /// Rows of the next tile when <paramref name="remaining"/> rows of the block are left. Whole tiles of
    /// <paramref name="mr"/> rows; with <paramref name="balance"/>, the last mr + 1 to 2 mr - 1 rows are two tiles of
    /// near-equal height instead of a whole tile and a sliver: a batch of 8 on the 6-row AVX2 kernel is 4 + 4, not
    /// 6 + 2, whose 2-row tile keeps only four accumulator chains for two FMA pipes of four-cycle latency and runs at
    /// half their rate.
    /// </summary>
    public static int Next(int remaining, int mr, bool balance) =>
        remaining >= 2 * mr || !balance ? Math.Min(mr, remaining) : remaining > mr ? (remaining + 1) / 2 : remaining;
}
