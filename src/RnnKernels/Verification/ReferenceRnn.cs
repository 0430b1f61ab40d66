namespace RnnKernels;

/// <summary>
/// The float64 oracle: the same model, loss and gradients written as plain per-entry, per-step loops with no
/// kernels and no batching tricks. Tests hold the fast engine to it, finite differences hold it to the math, and
/// <c>rnnk gradcheck</c> uses it as the float64 path.
/// </summary>
internal static class ReferenceRnn
{
    /// <summary>Loss of <paramref name="data"/> under <paramref name="parameters"/>, and optionally every gradient.</summary>
    /// <param name="shape">Model sizes.</param>
    /// <param name="parameters">Parameters in <see cref="ParameterLayout"/> order.</param>
    /// <param name="data">The batch (its targets must match <paramref name="loss"/>).</param>
    /// <param name="loss">Which loss.</param>
    /// <param name="gradients">Receives dE/dparameters (overwritten), or null to skip backward.</param>
    /// <param name="initialStateGradient">Receives dE/dh0 [L*D, B, H], or null.</param>
    /// <param name="finalState">Receives h_n [L*D, B, H], or null.</param>
    /// <param name="initialCellStateGradient">Receives dE/dc0 [L*D, B, H] (LSTM), or null.</param>
    /// <param name="finalCellState">Receives c_n [L*D, B, H] (LSTM), or null.</param>
    /// <param name="dropoutMasks">Per layer but the last, the dropout mask [T, B, D*H] its output is multiplied by as
    /// the next layer's input (0 or 1/(1-p) per element), or null for none.</param>
    /// <returns>The summed loss.</returns>
    /// <exception cref="ArgumentNullException">shape or data is null.</exception>
    public static double Run(
        RnnShape shape, ReadOnlySpan<double> parameters, SequenceData data, LossKind loss,
        double[]? gradients = null, double[]? initialStateGradient = null, double[]? finalState = null,
        double[]? initialCellStateGradient = null, double[]? finalCellState = null, IReadOnlyList<float[]>? dropoutMasks = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        (double[] h0, double[] c0) = InitialStates(shape, data);
        return RunWithState(shape, parameters, data, loss, h0, c0, gradients, initialStateGradient, finalState, initialCellStateGradient, finalCellState, dropoutMasks);
    }

    /// <summary>h0 and c0 of a batch in double precision (zeros where the batch has none; c0 empty unless LSTM).</summary>
    internal static (double[] H0, double[] C0) InitialStates(RnnShape shape, SequenceData data)
    {
        int size = shape.StateSize(data.Batch);
        double[] h0 = data.InitialState is null ? new double[size] : Array.ConvertAll(data.InitialState, v => (double)v);
        double[] c0 = !shape.HasCellState ? [] : data.InitialCellState is null ? new double[size] : Array.ConvertAll(data.InitialCellState, v => (double)v);
        return (h0, c0);
    }

    /// <summary>
    /// A network without an output layer under the linear functional E = sum(outputs * dOutputs) + sum(h_n * dh_n) +
    /// sum(c_n * dc_n) over live steps, so that its gradients are what a backward pass from the upstream gradients
    /// dOutputs [T, B, D*H], dh_n and dc_n [L*D, B, H] (each may be null) must give.
    /// </summary>
    internal static double RunLayers(
        RnnShape shape, ReadOnlySpan<double> parameters, SequenceData data, Upstream upstream, double[] h0, double[] c0,
        double[]? gradients = null, double[]? initialStateGradient = null, double[]? initialCellStateGradient = null, double[]? inputGradient = null,
        IReadOnlyList<float[]>? dropoutMasks = null) =>
        RunWithState(shape, parameters, data, LossKind.SquaredError, h0, c0, gradients, initialStateGradient, null, initialCellStateGradient, null,
            dropoutMasks, upstream, inputGradient);

    /// <summary>The same, with h0 and c0 given in double precision (finite differences perturb them).</summary>
    internal static double RunWithState(
        RnnShape shape, ReadOnlySpan<double> parameters, SequenceData data, LossKind loss, double[] h0, double[] c0,
        double[]? gradients = null, double[]? initialStateGradient = null, double[]? finalState = null,
        double[]? initialCellStateGradient = null, double[]? finalCellState = null, IReadOnlyList<float[]>? dropoutMasks = null,
        Upstream? upstream = null, double[]? inputGradient = null)
    {
        finalState ??= new double[shape.StateSize(data.Batch)];
        finalCellState ??= new double[shape.HasCellState ? shape.StateSize(data.Batch) : 0];
        var layout = new ParameterLayout(shape);
        double[] p = parameters.ToArray();
        if (gradients is not null)
        {
            Array.Clear(gradients);
        }

        int T = data.Steps, B = data.Batch, H = shape.HiddenSize, DH = shape.LayerOutputSize, O = shape.OutputSize, D = shape.Directions;

        // ys[l][t, b, :] holds both directions of layer l; steps[l][d][b][t] what backward needs of each live step.
        var ys = new double[shape.Layers][];
        var steps = new ReferenceCell.Step?[shape.Layers, D, B, T];
        double[] x = Array.ConvertAll(data.Inputs, v => (double)v);
        for (int l = 0; l < shape.Layers; l++)
        {
            double[] input = l == 0 ? x : Masked(ys[l - 1], dropoutMasks?[l - 1]);
            int width = shape.LayerInputSize(l);
            ys[l] = new double[T * B * DH];
            for (int d = 0; d < D; d++)
            {
                RecurrentTensors w = layout.Recurrent(l, d);
                for (int b = 0; b < B; b++)
                {
                    double[] h = StateOf(h0, data, shape, l, d, b);
                    double[] c = shape.HasCellState ? StateOf(c0, data, shape, l, d, b) : [];
                    foreach (int t in Order(T, d))
                    {
                        if (t < data.LengthOf(b))
                        {
                            ReferenceCell.Step step = ReferenceCell.Forward(shape, p, w, Slice(input, ((t * B) + b) * width, width), h, c);
                            steps[l, d, b, t] = step;
                            (h, c) = (step.H, step.C);
                        }

                        Array.Copy(h, 0, ys[l], (((t * B) + b) * DH) + (d * H), H);
                    }

                    int at = (((l * D) + d) * B * H) + (b * H);
                    Put(finalState, at, h);
                    if (shape.HasCellState)
                    {
                        Put(finalCellState, at, c);
                    }
                }
            }
        }

        double[] top = ys[^1];
        double total = 0;
        var dTop = new double[T * B * DH];
        if (!shape.HasOutputLayer)
        {
            total = Functional(shape, data, top, finalState, finalCellState, upstream ?? throw new ArgumentNullException(nameof(upstream)), dTop);
        }

        for (int t = 0; t < T && shape.HasOutputLayer; t++)
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
                    double sum = p[layout.OutputBias!.Offset + k];
                    for (int j = 0; j < DH; j++)
                    {
                        sum += p[layout.OutputWeight!.Offset + (k * DH) + j] * top[(((t * B) + b) * DH) + j];
                    }

                    o[k] = sum;
                }

                double[] dO = LossRow(loss, data, t, b, o, ref total);
                if (gradients is null)
                {
                    continue;
                }

                for (int k = 0; k < O; k++)
                {
                    gradients[layout.OutputBias!.Offset + k] += dO[k];
                    for (int j = 0; j < DH; j++)
                    {
                        int row = (((t * B) + b) * DH) + j;
                        gradients[layout.OutputWeight!.Offset + (k * DH) + j] += dO[k] * top[row];
                        dTop[row] += p[layout.OutputWeight.Offset + (k * DH) + j] * dO[k];
                    }
                }
            }
        }

        if (gradients is not null)
        {
            Backward(shape, layout, p, data, steps, dTop, gradients, initialStateGradient, initialCellStateGradient, dropoutMasks, upstream, inputGradient);
        }

        return total;
    }

    /// <summary>The upstream gradients of a network without an output layer (each may be null: no gradient).</summary>
    internal sealed record Upstream(double[]? Outputs, double[]? FinalState, double[]? FinalCellState);

    /// <summary>sum(outputs * dOutputs) over live steps + sum(h_n * dh_n) + sum(c_n * dc_n); dTop receives dOutputs at live steps.</summary>
    private static double Functional(
        RnnShape shape, SequenceData data, double[] top, double[] finalState, double[] finalCellState, Upstream upstream, double[] dTop)
    {
        int B = data.Batch, DH = shape.LayerOutputSize;
        double total = 0;
        for (int t = 0; t < data.Steps; t++)
        {
            for (int b = 0; b < B && upstream.Outputs is not null; b++)
            {
                for (int j = 0; j < DH && t < data.LengthOf(b); j++)
                {
                    int i = (((t * B) + b) * DH) + j;
                    total += top[i] * upstream.Outputs[i];
                    dTop[i] = upstream.Outputs[i];
                }
            }
        }

        for (int i = 0; i < finalState.Length && upstream.FinalState is not null; i++)
        {
            total += finalState[i] * upstream.FinalState[i];
        }

        for (int i = 0; i < finalCellState.Length && upstream.FinalCellState is not null; i++)
        {
            total += finalCellState[i] * upstream.FinalCellState[i];
        }

        return total;
    }

    private static void Backward(
        RnnShape shape, ParameterLayout layout, double[] p, SequenceData data, ReferenceCell.Step?[,,,] steps, double[] dY,
        double[] gradients, double[]? initialStateGradient, double[]? initialCellStateGradient, IReadOnlyList<float[]>? dropoutMasks,
        Upstream? upstream, double[]? inputGradient)
    {
        int T = data.Steps, B = data.Batch, H = shape.HiddenSize, DH = shape.LayerOutputSize, D = shape.Directions;
        for (int l = shape.Layers - 1; l >= 0; l--)
        {
            int width = shape.LayerInputSize(l);
            var dInput = new double[T * B * width];
            for (int d = 0; d < D; d++)
            {
                RecurrentTensors w = layout.Recurrent(l, d);
                for (int b = 0; b < B; b++)
                {
                    // What flows in through h_n and c_n (nothing unless the caller gave upstream gradients for them).
                    int final = (((l * D) + d) * B * H) + (b * H);
                    double[] dh = upstream?.FinalState is { } dhn ? Slice(dhn, final, H) : new double[H];
                    double[] dc = !shape.HasCellState ? [] : upstream?.FinalCellState is { } dcn ? Slice(dcn, final, H) : new double[H];
                    int[] order = [.. Order(T, d)];
                    for (int s = T - 1; s >= 0; s--)
                    {
                        int t = order[s];
                        for (int i = 0; i < H; i++)
                        {
                            dh[i] += dY[(((t * B) + b) * DH) + (d * H) + i];
                        }

                        if (steps[l, d, b, t] is { } step)
                        {
                            (dh, dc) = ReferenceCell.Backward(shape, p, w, step, dh, dc, gradients, dInput.AsSpan(((t * B) + b) * width, width));
                        }

                        // Past an entry's length the state was carried through unchanged, and so is its gradient.
                    }

                    int at = (((l * D) + d) * B * H) + (b * H);
                    Put(initialStateGradient, at, dh);
                    if (shape.HasCellState)
                    {
                        Put(initialCellStateGradient, at, dc);
                    }
                }
            }

            dY = l > 0 ? Masked(dInput, dropoutMasks?[l - 1]) : dInput;
        }

        if (inputGradient is not null)
        {
            dY.CopyTo(inputGradient, 0);
        }
    }

    /// <summary>values times the mask element by element, or values themselves without a mask.</summary>
    private static double[] Masked(double[] values, float[]? mask)
    {
        if (mask is null)
        {
            return values;
        }

        double[] masked = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            masked[i] = values[i] * mask[i];
        }

        return masked;
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

    private static double[] StateOf(double[] state, SequenceData data, RnnShape shape, int layer, int direction, int b) =>
        Slice(state, ((((layer * shape.Directions) + direction) * data.Batch) + b) * shape.HiddenSize, shape.HiddenSize);

    private static double[] Slice(double[] source, int start, int length) => source.AsSpan(start, length).ToArray();

    private static void Put(double[]? target, int at, double[] values)
    {
        if (target is not null)
        {
            values.CopyTo(target, at);
        }
    }
}
