namespace RnnKernels;

/// <summary>
/// One step of one cell for one batch entry in float64, written straight from the equations (PyTorch's nn.RNN,
/// nn.LSTM, nn.GRU): the oracle the engine's cells are held to. Both directions of the recurrence use it.
/// </summary>
internal static class ReferenceCell
{
    /// <summary>What backward needs of a step.</summary>
    /// <param name="Input">x_t.</param>
    /// <param name="HPrev">h_{t-1}.</param>
    /// <param name="CPrev">c_{t-1} (LSTM), else empty.</param>
    /// <param name="Gates">Activated gates [G*H] (the Elman cell: h_t itself).</param>
    /// <param name="RecurrentN">GRU: W_hn h_{t-1} + b_hn [H], else empty.</param>
    /// <param name="C">c_t (LSTM), else empty.</param>
    /// <param name="H">h_t.</param>
    public sealed record Step(double[] Input, double[] HPrev, double[] CPrev, double[] Gates, double[] RecurrentN, double[] C, double[] H);

    /// <summary>h_t (and c_t) from x_t, h_{t-1} (and c_{t-1}).</summary>
    public static Step Forward(RnnShape shape, double[] p, RecurrentTensors w, double[] x, double[] h, double[] c)
    {
        int hidden = shape.HiddenSize, rows = shape.GateRows, width = x.Length;
        var ai = new double[rows];
        var ah = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double si = p[w.BiasIh.Offset + r], sh = p[w.BiasHh.Offset + r];
            for (int j = 0; j < width; j++)
            {
                si += p[w.WeightIh.Offset + (r * width) + j] * x[j];
            }

            for (int j = 0; j < hidden; j++)
            {
                sh += p[w.WeightHh.Offset + (r * hidden) + j] * h[j];
            }

            (ai[r], ah[r]) = (si, sh);
        }

        var gates = new double[rows];
        var hNew = new double[hidden];
        switch (shape.Cell)
        {
            case CellKind.Lstm:
            {
                var cNew = new double[hidden];
                for (int i = 0; i < hidden; i++)
                {
                    double ig = Sigmoid(ai[i] + ah[i]), fg = Sigmoid(ai[hidden + i] + ah[hidden + i]);
                    double gg = Math.Tanh(ai[(2 * hidden) + i] + ah[(2 * hidden) + i]), og = Sigmoid(ai[(3 * hidden) + i] + ah[(3 * hidden) + i]);
                    (gates[i], gates[hidden + i], gates[(2 * hidden) + i], gates[(3 * hidden) + i]) = (ig, fg, gg, og);
                    cNew[i] = (fg * c[i]) + (ig * gg);
                    hNew[i] = og * Math.Tanh(cNew[i]);
                }

                return new Step(x, h, c, gates, [], cNew, hNew);
            }

            case CellKind.Gru:
            {
                var recurrentN = new double[hidden];
                for (int i = 0; i < hidden; i++)
                {
                    double rg = Sigmoid(ai[i] + ah[i]), zg = Sigmoid(ai[hidden + i] + ah[hidden + i]);
                    recurrentN[i] = ah[(2 * hidden) + i];
                    double ng = Math.Tanh(ai[(2 * hidden) + i] + (rg * recurrentN[i]));
                    (gates[i], gates[hidden + i], gates[(2 * hidden) + i]) = (rg, zg, ng);
                    hNew[i] = ((1 - zg) * ng) + (zg * h[i]);
                }

                return new Step(x, h, [], gates, recurrentN, [], hNew);
            }

            default:
                for (int i = 0; i < hidden; i++)
                {
                    double a = ai[i] + ah[i];
                    hNew[i] = gates[i] = shape.Nonlinearity == Nonlinearity.Tanh ? Math.Tanh(a) : Math.Max(a, 0);
                }

                return new Step(x, h, [], gates, [], [], hNew);
        }
    }

    /// <summary>
    /// Back-propagates dE/dh_t (and dE/dc_t) through the step: adds the weight and bias gradients into
    /// <paramref name="gradients"/> and dE/dx_t into <paramref name="dx"/>; returns dE/dh_{t-1} (and dE/dc_{t-1}).
    /// </summary>
    public static (double[] DhPrev, double[] DcPrev) Backward(
        RnnShape shape, double[] p, RecurrentTensors w, Step step, double[] dh, double[] dc, double[] gradients, Span<double> dx)
    {
        int hidden = shape.HiddenSize, rows = shape.GateRows, width = step.Input.Length;
        var dai = new double[rows]; // dE/d(pre-activation) on the input side: W_ih x + b_ih.
        var dah = new double[rows]; // ... on the recurrent side: W_hh h + b_hh (differs from dai for GRU's n gate).
        var dhPrev = new double[hidden];
        var dcPrev = new double[shape.HasCellState ? hidden : 0];
        double[] g = step.Gates;
        switch (shape.Cell)
        {
            case CellKind.Lstm:
                for (int i = 0; i < hidden; i++)
                {
                    double ig = g[i], fg = g[hidden + i], gg = g[(2 * hidden) + i], og = g[(3 * hidden) + i];
                    double tc = Math.Tanh(step.C[i]);
                    double dcTotal = dc[i] + (dh[i] * og * (1 - (tc * tc)));
                    dai[i] = dcTotal * gg * ig * (1 - ig);
                    dai[hidden + i] = dcTotal * step.CPrev[i] * fg * (1 - fg);
                    dai[(2 * hidden) + i] = dcTotal * ig * (1 - (gg * gg));
                    dai[(3 * hidden) + i] = dh[i] * tc * og * (1 - og);
                    dcPrev[i] = dcTotal * fg;
                }

                dai.CopyTo(dah, 0);
                break;
            case CellKind.Gru:
                for (int i = 0; i < hidden; i++)
                {
                    double rg = g[i], zg = g[hidden + i], ng = g[(2 * hidden) + i];
                    double dn = dh[i] * (1 - zg) * (1 - (ng * ng));
                    double dz = dh[i] * (step.HPrev[i] - ng) * zg * (1 - zg);
                    double dr = dn * step.RecurrentN[i] * rg * (1 - rg);
                    (dai[i], dai[hidden + i], dai[(2 * hidden) + i]) = (dr, dz, dn);
                    (dah[i], dah[hidden + i], dah[(2 * hidden) + i]) = (dr, dz, dn * rg);
                    dhPrev[i] = dh[i] * zg;
                }

                break;
            default:
                for (int i = 0; i < hidden; i++)
                {
                    double hv = step.H[i];
                    double derivative = shape.Nonlinearity == Nonlinearity.Tanh ? 1 - (hv * hv) : (hv > 0 ? 1 : 0);
                    dai[i] = dah[i] = dh[i] * derivative;
                }

                break;
        }

        for (int r = 0; r < rows; r++)
        {
            gradients[w.BiasIh.Offset + r] += dai[r];
            gradients[w.BiasHh.Offset + r] += dah[r];
            for (int j = 0; j < width; j++)
            {
                gradients[w.WeightIh.Offset + (r * width) + j] += dai[r] * step.Input[j];
                dx[j] += p[w.WeightIh.Offset + (r * width) + j] * dai[r];
            }

            for (int j = 0; j < hidden; j++)
            {
                gradients[w.WeightHh.Offset + (r * hidden) + j] += dah[r] * step.HPrev[j];
                dhPrev[j] += p[w.WeightHh.Offset + (r * hidden) + j] * dah[r];
            }
        }

        return (dhPrev, dcPrev);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
