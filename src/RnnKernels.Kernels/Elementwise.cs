using System.Runtime.CompilerServices;

namespace RnnKernels.Kernels;

/// <summary>Elementwise vector updates the engine builds on (scaling, axpy, bias rows). Stateless and allocation-free.</summary>
/// <remarks>
/// Every map runs on the tier it is given through <see cref="ElementwiseDriver"/> and its one tail policy; the public
/// entry points give <see cref="KernelTiers.Best"/>.
/// </remarks>
public static class Elementwise
{
    /// <summary>y[i] = s * x[i]. <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <param name="x">Inputs.</param>
    /// <param name="s">Scale.</param>
    /// <param name="y">Outputs (at least as long as <paramref name="x"/>).</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void Scale(ReadOnlySpan<float> x, float s, Span<float> y) => Scale(KernelTiers.Best, x, s, y);

    /// <summary>y[i] = x[i] + s. <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <param name="x">Inputs.</param>
    /// <param name="s">Value added.</param>
    /// <param name="y">Outputs (at least as long as <paramref name="x"/>).</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void AddScalar(ReadOnlySpan<float> x, float s, Span<float> y) => AddScalar(KernelTiers.Best, x, s, y);

    /// <summary>z[i] = x[i] + y[i]. <paramref name="z"/> may be either input.</summary>
    /// <param name="x">First addend.</param>
    /// <param name="y">Second addend, same length.</param>
    /// <param name="z">Sums (at least as long as <paramref name="x"/>).</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z) => Add(KernelTiers.Best, x, y, z);

    /// <summary>z[i] = x[i] * y[i]. <paramref name="z"/> may be either input.</summary>
    /// <param name="x">First factor.</param>
    /// <param name="y">Second factor, same length.</param>
    /// <param name="z">Products (at least as long as <paramref name="x"/>).</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z) => Multiply(KernelTiers.Best, x, y, z);

    /// <summary>z[i] = x[i] - y[i]. <paramref name="z"/> may be either input.</summary>
    /// <param name="x">Minuend.</param>
    /// <param name="y">Subtrahend, same length.</param>
    /// <param name="z">Differences (at least as long as <paramref name="x"/>).</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z) => Subtract(KernelTiers.Best, x, y, z);

    internal static void Multiply(IsaTier tier, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        SpanChecks.BinaryMap(x, y, z, nameof(x), nameof(y), nameof(z));
        ElementwiseDriver.Binary<MultiplyOperator>(tier, x, y, z);
    }

    internal static void Subtract(IsaTier tier, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        SpanChecks.BinaryMap(x, y, z, nameof(x), nameof(y), nameof(z));
        ElementwiseDriver.Binary<SubtractOperator>(tier, x, y, z);
    }

    internal static void Scale(IsaTier tier, ReadOnlySpan<float> x, float s, Span<float> y)
    {
        SpanChecks.UnaryMap(x, y, nameof(x), nameof(y));
        ElementwiseDriver.SpanScalar<ScaleOperator>(tier, x, s, y);
    }

    internal static void AddScalar(IsaTier tier, ReadOnlySpan<float> x, float s, Span<float> y)
    {
        SpanChecks.UnaryMap(x, y, nameof(x), nameof(y));
        ElementwiseDriver.SpanScalar<AddScalarOperator>(tier, x, s, y);
    }

    internal static void Add(IsaTier tier, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        SpanChecks.BinaryMap(x, y, z, nameof(x), nameof(y), nameof(z));
        ElementwiseDriver.Binary<AddOperator>(tier, x, y, z);
    }

    internal static void Axpy(IsaTier tier, float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        SpanChecks.SameLength(x.Length, y.Length, nameof(y), nameof(x));
        SpanChecks.NoPartialOverlap(x, y, nameof(x), nameof(y));
        ElementwiseDriver.SpanSpanScalar<AxpyOperator>(tier, x, y, alpha, y);
    }

    /// <summary>y[i] += alpha * x[i] (BLAS axpy), with one rounding where the tier has FMA.</summary>
    /// <param name="alpha">Scale of x.</param>
    /// <param name="x">Inputs.</param>
    /// <param name="y">Accumulated in place; same length as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y) => Axpy(KernelTiers.Best, alpha, x, y);

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
