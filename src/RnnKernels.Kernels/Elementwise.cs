using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnKernels.Kernels;

/// <summary>Elementwise vector updates the engine builds on (scaling, axpy, bias rows). Stateless and allocation-free.</summary>
/// <remarks>Written on <see cref="Vector{T}"/>, which is 256-bit under AVX2 and 128-bit under SSE or NEON.</remarks>
public static class Elementwise
{
    /// <summary>y[i] = s * x[i]. <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <param name="x">Inputs.</param>
    /// <param name="s">Scale.</param>
    /// <param name="y">Outputs (at least as long as <paramref name="x"/>).</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(ReadOnlySpan<float> x, float s, Span<float> y)
    {
        SpanChecks.UnaryMap(x, y, nameof(x), nameof(y));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nint i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> vs = new(s);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (Vector.LoadUnsafe(ref xr, (nuint)i) * vs).StoreUnsafe(ref yr, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref yr, i) = Unsafe.Add(ref xr, i) * s;
        }
    }

    /// <summary>y[i] = x[i] + s. <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <param name="x">Inputs.</param>
    /// <param name="s">Value added.</param>
    /// <param name="y">Outputs (at least as long as <paramref name="x"/>).</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScalar(ReadOnlySpan<float> x, float s, Span<float> y)
    {
        SpanChecks.UnaryMap(x, y, nameof(x), nameof(y));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nint i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> vs = new(s);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (Vector.LoadUnsafe(ref xr, (nuint)i) + vs).StoreUnsafe(ref yr, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref yr, i) = Unsafe.Add(ref xr, i) + s;
        }
    }

    /// <summary>z[i] = x[i] + y[i]. <paramref name="z"/> may be either input.</summary>
    /// <param name="x">First addend.</param>
    /// <param name="y">Second addend, same length.</param>
    /// <param name="z">Sums (at least as long as <paramref name="x"/>).</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        SpanChecks.BinaryMap(x, y, z, nameof(x), nameof(y), nameof(z));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        nint i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (Vector.LoadUnsafe(ref xr, (nuint)i) + Vector.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref zr, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref zr, i) = Unsafe.Add(ref xr, i) + Unsafe.Add(ref yr, i);
        }
    }

    /// <summary>z[i] = x[i] * y[i]. <paramref name="z"/> may be either input.</summary>
    /// <param name="x">First factor.</param>
    /// <param name="y">Second factor, same length.</param>
    /// <param name="z">Products (at least as long as <paramref name="x"/>).</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z) => Multiply(KernelPaths.Best, x, y, z);

    /// <summary>z[i] = x[i] - y[i]. <paramref name="z"/> may be either input.</summary>
    /// <param name="x">Minuend.</param>
    /// <param name="y">Subtrahend, same length.</param>
    /// <param name="z">Differences (at least as long as <paramref name="x"/>).</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z) => Subtract(KernelPaths.Best, x, y, z);

    internal static void Multiply(IsaPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        SpanChecks.BinaryMap(x, y, z, nameof(x), nameof(y), nameof(z));
        ElementwiseDriver.Binary<MultiplyOperator>(path, x, y, z);
    }

    internal static void Subtract(IsaPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        SpanChecks.BinaryMap(x, y, z, nameof(x), nameof(y), nameof(z));
        ElementwiseDriver.Binary<SubtractOperator>(path, x, y, z);
    }

    /// <summary>y[i] += alpha * x[i] (BLAS axpy).</summary>
    /// <param name="alpha">Scale of x.</param>
    /// <param name="x">Inputs.</param>
    /// <param name="y">Accumulated in place; same length as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        SpanChecks.SameLength(x.Length, y.Length, nameof(y), nameof(x));
        SpanChecks.NoPartialOverlap(x, y, nameof(x), nameof(y));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nint i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> va = new(alpha);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.MultiplyAddEstimate(va, Vector.LoadUnsafe(ref xr, (nuint)i), Vector.LoadUnsafe(ref yr, (nuint)i))
                    .StoreUnsafe(ref yr, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref yr, i) += alpha * Unsafe.Add(ref xr, i);
        }
    }

    /// <summary>
    /// Sets every row of the rows x n matrix <paramref name="c"/> (row stride <paramref name="ldc"/>) to
    /// <paramref name="bias1"/> + <paramref name="bias2"/>: the starting value of a pre-activation before GEMM
    /// accumulates into it with beta = 1. Two biases because PyTorch keeps b_ih and b_hh separately.
    /// </summary>
    /// <param name="bias1">First bias, length n.</param>
    /// <param name="bias2">Second bias, length n (pass an empty span for none).</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="c">Matrix to fill.</param>
    /// <param name="ldc">Row stride of <paramref name="c"/>.</param>
    /// <exception cref="ArgumentException">The biases differ in length, or c is too short for rows x ldc.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows is negative or ldc is smaller than the bias length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BroadcastRows(ReadOnlySpan<float> bias1, ReadOnlySpan<float> bias2, int rows, Span<float> c, int ldc)
    {
        int n = bias1.Length;
        if (!bias2.IsEmpty)
        {
            SpanChecks.SameLength(n, bias2.Length, nameof(bias2), nameof(bias1));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        GemmArguments.Needed(rows, n, ldc, c.Length, nameof(c), nameof(ldc), Transpose.No);
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = c.Slice(r * ldc, n);
            bias1.CopyTo(row);
            if (!bias2.IsEmpty)
            {
                Axpy(1f, bias2, row);
            }
        }
    }
}
