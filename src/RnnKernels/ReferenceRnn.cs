namespace RnnKernels;

/// <summary>
/// The float64 oracle: the same model, loss and gradients written as plain per-entry, per-step loops with no
/// kernels and no batching tricks. Tests hold the fast engine to it, finite differences hold it to the math, and
/// <c>rnnk gradcheck</c> uses it as the float64 path.
/// </summary>
public static class ReferenceRnn
{
    /// <summary>Loss of <paramref name="data"/> under <paramref name="parameters"/>, and optionally every gradient.</summary>
    /// <param name="shape">Model sizes.</param>
    /// <param name="parameters">Parameters in <see cref="ParameterLayout"/> order.</param>
    /// <param name="data">The batch (its targets must match <paramref name="loss"/>).</param>
    /// <param name="loss">Which loss.</param>
    /// <param name="gradients">Receives dE/dparameters (overwritten), or null to skip backward.</param>
    /// <param name="initialStateGradient">Receives dE/dh0 [L*D, B, H], or null.</param>
    /// <param name="finalState">Receives h_n [L*D, B, H], or null.</param>
    /// <returns>The summed loss.</returns>
    public static double Run(
        RnnShape shape, ReadOnlySpan<double> parameters, SequenceData data, LossKind loss,
        double[]? gradients = null, double[]? initialStateGradient = null, double[]? finalState = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        double[] h0 = data.InitialState is null ? new double[shape.StateSize(data.Batch)] : Array.ConvertAll(data.InitialState, v => (double)v);
        return RunWithState(shape, parameters, data, loss, h0, gradients, initialStateGradient, finalState);
    }

    /// <summary>The same, with h0 given in double precision (finite differences perturb it).</summary>
    internal static double RunWithState(
        RnnShape shape, ReadOnlySpan<double> parameters, SequenceData data, LossKind loss, double[] h0,
        double[]? gradients = null, double[]? initialStateGradient = null, double[]? finalState = null)
    {
        var layout = new ParameterLayout(shape);
        double[] p = parameters.ToArray();
        if (gradients is not null)
        {
            Array.Clear(gradients);
        }

        int T = data.Steps, B = data.Batch, H = shape.HiddenSize, DH = shape.LayerOutputSize, O = shape.OutputSize, D = shape.Directions;

        // ys[l][t, b, :] holds both directions of layer l; layer -1 is the input.
        var ys = new double[shape.Layers][];
        double[] x = Array.ConvertAll(data.Inputs, v => (double)v);
        for (int l = 0; l < shape.Layers; l++)
        {
            double[] input = l == 0 ? x : ys[l - 1];
            int width = shape.LayerInputSize(l);
            ys[l] = new double[T * B * DH];
            for (int d = 0; d < D; d++)
            {
                RecurrentTensors w = layout.Recurrent(l, d);
                for (int b = 0; b < B; b++)
                {
                    double[] h = InitialState(h0, data, shape, l, d, b);
                    foreach (int t in Order(T, d))
                    {
                        if (t < data.LengthOf(b))
                        {
                            var a = new double[H];
                            for (int i = 0; i < H; i++)
                            {
                                double s = p[w.BiasIh.Offset + i] + p[w.BiasHh.Offset + i];
                                for (int j = 0; j < width; j++)
                                {
                                    s += p[w.WeightIh.Offset + (i * width) + j] * input[(((t * B) + b) * width) + j];
                                }

                                for (int j = 0; j < H; j++)
                                {
                                    s += p[w.WeightHh.Offset + (i * H) + j] * h[j];
                                }

                                a[i] = shape.Nonlinearity == Nonlinearity.Tanh ? Math.Tanh(s) : Math.Max(s, 0);
                            }

                            h = a;
                        }

                        Array.Copy(h, 0, ys[l], (((t * B) + b) * DH) + (d * H), H);
                    }

                    if (finalState is not null)
                    {
                        h.CopyTo(finalState.AsSpan((((l * D) + d) * B * H) + (b * H), H));
                    }
                }
            }
        }

        double[] top = ys[^1];
        double total = 0;
        var dTop = new double[T * B * DH];
        for (int t = 0; t < T; t++)
        {
            for (int b = 0; b < B; b++)
            {
                if (t >= data.LengthOf(b))
                {
                    continue;
                }

                var o = new double[O];
                for (int k = 0; k < O; k++)
                {
                    double s = p[layout.OutputBias.Offset + k];
                    for (int j = 0; j < DH; j++)
                    {
                        s += p[layout.OutputWeight.Offset + (k * DH) + j] * top[(((t * B) + b) * DH) + j];
                    }

                    o[k] = s;
                }

                double[] dO = LossRow(loss, data, t, b, o, ref total);
                if (gradients is null)
                {
                    continue;
                }

                for (int k = 0; k < O; k++)
                {
                    gradients[layout.OutputBias.Offset + k] += dO[k];
                    for (int j = 0; j < DH; j++)
                    {
                        int row = (((t * B) + b) * DH) + j;
                        gradients[layout.OutputWeight.Offset + (k * DH) + j] += dO[k] * top[row];
                        dTop[row] += p[layout.OutputWeight.Offset + (k * DH) + j] * dO[k];
                    }
                }
            }
        }

        if (gradients is not null)
        {
            Backward(shape, layout, p, data, h0, x, ys, dTop, gradients, initialStateGradient);
        }

        return total;
    }

    private static void Backward(
        RnnShape shape, ParameterLayout layout, double[] p, SequenceData data, double[] h0, double[] x, double[][] ys, double[] dY,
        double[] gradients, double[]? initialStateGradient)
    {
        int T = data.Steps, B = data.Batch, H = shape.HiddenSize, DH = shape.LayerOutputSize, D = shape.Directions;
        for (int l = shape.Layers - 1; l >= 0; l--)
        {
            double[] input = l == 0 ? x : ys[l - 1];
            int width = shape.LayerInputSize(l);
            var dInput = new double[T * B * width];
            for (int d = 0; d < D; d++)
            {
                RecurrentTensors w = layout.Recurrent(l, d);
                for (int b = 0; b < B; b++)
                {
                    var dh = new double[H];
                    int[] order = [.. Order(T, d)];
                    for (int s = T - 1; s >= 0; s--)
                    {
                        int t = order[s];
                        var total = new double[H];
                        for (int i = 0; i < H; i++)
                        {
                            total[i] = dY[(((t * B) + b) * DH) + (d * H) + i] + dh[i];
                        }

                        if (t >= data.LengthOf(b))
                        {
                            dh = total; // The state was carried through this step unchanged.
                            continue;
                        }

                        double[] hPrev = s == 0 ? InitialState(h0, data, shape, l, d, b) : Slice(ys[l], (((order[s - 1] * B) + b) * DH) + (d * H), H);
                        dh = new double[H];
                        for (int i = 0; i < H; i++)
                        {
                            double hv = ys[l][(((t * B) + b) * DH) + (d * H) + i];
                            double derivative = shape.Nonlinearity == Nonlinearity.Tanh ? 1 - (hv * hv) : (hv > 0 ? 1 : 0);
                            double da = total[i] * derivative;
                            gradients[w.BiasIh.Offset + i] += da;
                            gradients[w.BiasHh.Offset + i] += da;
                            for (int j = 0; j < width; j++)
                            {
                                gradients[w.WeightIh.Offset + (i * width) + j] += da * input[(((t * B) + b) * width) + j];
                                dInput[(((t * B) + b) * width) + j] += p[w.WeightIh.Offset + (i * width) + j] * da;
                            }

                            for (int j = 0; j < H; j++)
                            {
                                gradients[w.WeightHh.Offset + (i * H) + j] += da * hPrev[j];
                                dh[j] += p[w.WeightHh.Offset + (i * H) + j] * da;
                            }
                        }
                    }

                    if (initialStateGradient is not null)
                    {
                        dh.CopyTo(initialStateGradient.AsSpan((((l * D) + d) * B * H) + (b * H), H));
                    }
                }
            }

            dY = dInput;
        }
    }

    private static double[] LossRow(LossKind loss, SequenceData data, int t, int b, double[] o, ref double total)
    {
        int O = o.Length;
        var dO = new double[O];
        if (loss == LossKind.CrossEntropy)
        {
            int target = data.ClassTargets![(t * data.Batch) + b];
            double max = o.Max();
            double sum = o.Sum(v => Math.Exp(v - max));
            total += Math.Log(sum) + max - o[target];
            for (int k = 0; k < O; k++)
            {
                dO[k] = (Math.Exp(o[k] - max) / sum) - (k == target ? 1 : 0);
            }
        }
        else
        {
            for (int k = 0; k < O; k++)
            {
                double diff = o[k] - data.ValueTargets![(((t * data.Batch) + b) * O) + k];
                total += diff * diff;
                dO[k] = 2 * diff;
            }
        }

        return dO;
    }

    private static IEnumerable<int> Order(int steps, int direction) =>
        direction == 0 ? Enumerable.Range(0, steps) : Enumerable.Range(0, steps).Reverse();

    private static double[] InitialState(double[] h0, SequenceData data, RnnShape shape, int layer, int direction, int b) =>
        Slice(h0, ((((layer * shape.Directions) + direction) * data.Batch) + b) * shape.HiddenSize, shape.HiddenSize);

    private static double[] Slice(double[] source, int start, int length) => source.AsSpan(start, length).ToArray();
}
