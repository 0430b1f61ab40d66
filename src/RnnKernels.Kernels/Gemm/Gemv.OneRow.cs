using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

// The M = 1 product with a matrix packed for one-row products (<see cref="PackedLayout.OneRow"/>): its column groups, each one pass of the row form, read as one stream.
internal static unsafe partial class Gemv
{
    /// <summary>
    /// c[j] = alpha * sum_p x[p] * op(B)(p, j) + beta * c[j] for j &lt; n, with op(B) (k x n) packed beforehand for
    /// one-row products (<see cref="PackedLayout.OneRow"/>): each pass of the row form reads its own column group, k
    /// rows of whole vectors stored one after the other, so the pass is one stream in order and every load is aligned
    /// to its width: faster than the panels (<see cref="Panels{V}"/>) for h W_R^T, and than the row form over W_R
    /// itself for dA W_R, whose rows (400 bytes at H = 100) put a quarter to a half of the loads across two cache lines
    /// (docs/design-notes.md).
    /// </summary>
    /// <remarks>
    /// Runs groups [<paramref name="firstGroup"/>, <paramref name="endGroup"/>) (a thread's share of the product) and
    /// returns the columns they cover.
    /// </remarks>
    public static (int Start, int Columns) RunOneRow(
        IsaTier tier, int n, int k, float alpha, float* x, float* packed, float beta, float* c, int firstGroup = 0, int endGroup = int.MaxValue) =>
        LaneDispatch.Run<OneRowWork, (int, int)>(tier, new OneRowWork(n, k, alpha, x, packed, beta, c, firstGroup, endGroup));

    /// <summary>How many column groups (passes) a <see cref="PackedLayout.OneRow"/> matrix n columns wide has on <paramref name="tier"/>.</summary>
    public static int OneRowGroups(IsaTier tier, int n)
    {
        int w = LaneDispatch.Width(tier);
        return OneRowGroupCount((n + w - 1) / w);
    }

    /// <summary>
    /// Column groups of a <see cref="PackedLayout.OneRow"/> matrix of <paramref name="vectors"/> column vectors: enough
    /// for passes of at most <see cref="MaxPassVectors"/> vectors, and an even number when there is more than one, so
    /// that two threads, which split the product by whole groups, get halves (with an odd count one thread would
    /// read a group more: 26 against 38 vectors for the 1024 columns of an LSTM at H = 256 on AVX-512).
    /// </summary>
    internal static int OneRowGroupCount(int vectors)
    {
        int groups = (vectors + MaxPassVectors - 1) / MaxPassVectors;
        return groups > 1 && groups % 2 == 1 ? groups + 1 : groups;
    }

    /// <summary>The first column vector of group <paramref name="group"/> of <paramref name="groups"/>: the groups balanced.</summary>
    internal static int OneRowGroupStart(int vectors, int groups, int group) => (int)((long)vectors * group / groups);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int Start, int Columns) OneRow<V>(int n, int k, float alpha, float* x, float* packed, float beta, float* c, int firstGroup, int endGroup)
        where V : struct, ILaneVector<V>
    {
        int w = V.Count, vectors = (n + w - 1) / w, groups = OneRowGroupCount(vectors), start = n, end = n;
        for (int g = firstGroup; g < Math.Min(endGroup, groups); g++)
        {
            int first = OneRowGroupStart(vectors, groups, g), count = OneRowGroupStart(vectors, groups, g + 1) - first, j = first * w;
            float* group = packed + ((nint)k * j);
            RowPass<V>(count, j, j + ((count - 1) * w), n, k, alpha, x, group - j, count * w, beta, c);
            start = Math.Min(start, j);
            end = Math.Min(n, j + (count * w));
        }

        return (start, end - start);
    }

    private readonly struct OneRowWork(int n, int k, float alpha, float* x, float* packed, float beta, float* c, int firstGroup, int endGroup)
        : ILaneWork<(int, int)>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (int, int) Run<V>()
            where V : struct, ILaneVector<V> => OneRow<V>(n, k, alpha, x, packed, beta, c, firstGroup, endGroup);
    }
}
