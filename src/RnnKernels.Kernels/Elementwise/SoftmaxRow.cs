using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnKernels.Kernels;

/// <summary>
/// One row of softmax cross-entropy at the tier's width: the maximum, then exp(z - max) stored and summed in the same
/// pass, then the scaling (the elementwise driver's loop), so a row is read three times instead of the five passes
/// (and the per-pass set-up) of composing the public elementwise kernels.
/// </summary>
/// <remarks>
/// The sum runs in float lanes over blocks of <see cref="BlockVectors"/> vectors, each block's lanes added up in
/// float and the blocks in double, and the elements past the last whole vector are added in double: a term passes
/// through at most 32 float additions in its lane and 4 across lanes (relative error below 3e-6 for the positive
/// terms of a softmax), and the order depends only on the length and the tier.
/// </remarks>
internal static class SoftmaxRow
{
    private const int BlockVectors = 32;

    /// <summary>The row's loss, log(sum exp z) - z[target], and dz = scale * (softmax(z) - onehot(target)).</summary>
    public static double Compute(IsaTier tier, ReadOnlySpan<float> z, int target, float scale, Span<float> dz) =>
        LaneDispatch.Run<RowWork, double>(tier, new RowWork(z, target, scale, dz));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Compute<V>(ReadOnlySpan<float> z, int target, float scale, Span<float> dz)
        where V : struct, ILaneVector<V>
    {
        if (target < 0)
        {
            dz.Clear();
            return 0;
        }

        float max = Reductions.Max<V>(z);
        float zt = z[target];
        double sum = z.Length < V.Count ? ExpShort<V>(z, max, dz) : Exp<V>(z, max, dz);
        ElementwiseDriver.SpanScalar<ScaleOperator, V>(dz, (float)(scale / sum), dz);
        dz[target] -= scale;
        return Math.Log(sum) - (zt - max);
    }

    /// <summary>dz = exp(z - max) for a row of at least one vector; returns its sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Exp<V>(ReadOnlySpan<float> z, float max, Span<float> dz)
        where V : struct, ILaneVector<V>
    {
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float dr = ref MemoryMarshal.GetReference(dz);
        nint n = z.Length, w = V.Count, last = n - w, whole = n - (n % w);
        V m = V.Broadcast(max);
        V tail = V.Load(ref zr, last); // Read before any store: dz may be z itself.
        double sum = 0;
        for (nint i = 0; i < whole;)
        {
            nint end = Math.Min(whole, i + (BlockVectors * w));
            V block = default;
            for (; i < end; i += w)
            {
                V e = V.Apply<ExpOperator>(V.Load(ref zr, i) - m);
                V.Store(e, ref dr, i);
                block += e;
            }

            sum += V.Sum(block);
        }

        if (whole < n)
        {
            // The last vector overlaps the whole ones (the same values again); only the elements past them are added.
            V.Store(V.Apply<ExpOperator>(tail - m), ref dr, last);
            for (nint i = whole; i < n; i++)
            {
                sum += Unsafe.Add(ref dr, i);
            }
        }

        return sum;
    }

    /// <summary>
    /// dz = exp(z - max) for a row shorter than one vector, through the elementwise driver (which pads it to one
    /// vector of the tier); returns its sum.
    /// </summary>
    private static double ExpShort<V>(ReadOnlySpan<float> z, float max, Span<float> dz)
        where V : struct, ILaneVector<V>
    {
        ElementwiseDriver.SpanScalar<AddScalarOperator, V>(z, -max, dz);
        ElementwiseDriver.Unary<ExpOperator, V>(dz, dz);
        double sum = 0;
        foreach (float e in dz)
        {
            sum += e;
        }

        return sum;
    }

    private readonly ref struct RowWork(ReadOnlySpan<float> z, int target, float scale, Span<float> dz) : ILaneWork<double>
    {
        private readonly ReadOnlySpan<float> _z = z;
        private readonly Span<float> _dz = dz;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Run<V>()
            where V : struct, ILaneVector<V> => Compute<V>(_z, target, scale, _dz);
    }
}
