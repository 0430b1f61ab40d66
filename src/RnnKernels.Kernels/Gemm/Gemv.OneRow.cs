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
    /// to its width. On AVX2, h W_R^T at 400 x 100 took 1.14-1.24 us this way against 1.30-1.60 us over the panels
    /// (<see cref="Panels{V}"/>) in one series, and dA W_R 1.17-1.25 us against 1.37-1.57 us reading W_R itself in the
    /// row form, whose 400-byte rows put a quarter to a half of the loads across two cache lines.
    /// </summary>
    /// <remarks>
    /// Runs groups [<paramref name="firstGroup"/>, <paramref name="endGroup"/>) (a thread's share of the product) and
    /// returns the columns they cover.
    /// </remarks>
    public static (int Start, int Columns) RunOneRow(
        IsaTier tier, int n, int k, float alpha, float* x, float* packed, float beta, float* c, int firstGroup = 0, int endGroup = int.MaxValue) =>
        tier switch
        {
            IsaTier.Avx512 => OneRow<Lanes16>(n, k, alpha, x, packed, beta, c, firstGroup, endGroup),
            IsaTier.Avx2Fma => OneRow<Lanes8>(n, k, alpha, x, packed, beta, c, firstGroup, endGroup),
            IsaTier.Neon or IsaTier.Vector128 => OneRow<Lanes4>(n, k, alpha, x, packed, beta, c, firstGroup, endGroup),
            _ => OneRow<Lanes1>(n, k, alpha, x, packed, beta, c, firstGroup, endGroup),
        };

    /// <summary>How many column groups (passes) a <see cref="PackedLayout.OneRow"/> matrix n columns wide has on <paramref name="tier"/>.</summary>
    public static int OneRowGroups(IsaTier tier, int n)
    {
        int w = GemmGeometry.Lanes(tier), vectors = (n + w - 1) / w, groups = 0;
        for (int done = 0; done < vectors; groups++)
        {
            done += PassVectors(vectors - done);
        }

        return groups;
    }

    /// <summary>
    /// Column vectors in the next pass of the row form with <paramref name="remaining"/> vectors left: the passes
    /// balanced, none over <see cref="MaxPassVectors"/>. <see cref="PackedLayout.OneRow"/> groups are these passes.
    /// </summary>
    internal static int PassVectors(int remaining)
    {
        int passes = (remaining + MaxPassVectors - 1) / MaxPassVectors;
        return (remaining + passes - 1) / passes;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int Start, int Columns) OneRow<V>(int n, int k, float alpha, float* x, float* packed, float beta, float* c, int firstGroup, int endGroup)
        where V : struct, ILaneVector<V>
    {
        int w = V.Count, vectors = (n + w - 1) / w, start = n, end = n;
        for (int done = 0, g = 0; done < vectors && g < endGroup; g++)
        {
            int count = PassVectors(vectors - done), j = done * w;
            if (g >= firstGroup)
            {
                float* group = packed + ((nint)k * j);
                RowPass<V>(count, j, j + ((count - 1) * w), n, k, alpha, x, group - j, count * w, beta, c);
                start = Math.Min(start, j);
                end = Math.Min(n, j + (count * w));
            }

            done += count;
        }

        return (start, end - start);
    }
}
