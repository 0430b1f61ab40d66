using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

/// <summary>
/// Fetches a micro-kernel's C tile into L1 while its k loop runs, so the update at the end does not wait on memory.
/// </summary>
internal static unsafe class TilePrefetch
{
    /// <summary>
    /// The first and the last cache line of each of the TRows.Value rows of the tile at <paramref name="c"/>, rows
    /// <paramref name="width"/> values long. Written out row by row, as the kernels' stores are: the JIT does not unroll
    /// a loop over the rows, which cost a multiply and a taken branch per row and tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Rows<TRows>(float* c, nint ldc, int width)
        where TRows : struct, ICount
    {
        Row(c, width);
        if (TRows.Value > 1)
        {
            Row(c + ldc, width);
        }

        if (TRows.Value > 2)
        {
            Row(c + (2 * ldc), width);
        }

        if (TRows.Value > 3)
        {
            Row(c + (3 * ldc), width);
        }

        if (TRows.Value > 4)
        {
            Row(c + (4 * ldc), width);
        }

        if (TRows.Value > 5)
        {
            Row(c + (5 * ldc), width);
        }

        if (TRows.Value > 6)
        {
            Row(c + (6 * ldc), width);
        }

        if (TRows.Value > 7)
        {
            Row(c + (7 * ldc), width);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(float* row, int width)
    {
        Sse.Prefetch0(row);
        Sse.Prefetch0(row + width - 1);
    }
}
