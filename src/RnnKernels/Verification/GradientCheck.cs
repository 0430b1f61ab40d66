namespace RnnKernels;

/// <summary>
/// Gradient verification: the float64 reference against central finite differences of its own loss, and the
/// float32 engine against the float64 reference. Used by <c>rnnk gradcheck</c> and the tests.
/// </summary>
internal static class GradientCheck
{
    /// <summary>
    /// Worst relative error between the reference's analytic gradients (every parameter, every h0 and c0 element) and
    /// central differences with step 1e-5, relative to |analytic| + |numeric| with a floor of 1e-2.
    /// </summary>
    /// <param name="shape">Model sizes.</param>
    /// <param name="parameters">Parameters in layout order.</param>
    /// <param name="data">A batch (h0 is perturbed too, zeros when absent).</param>
    /// <param name="loss">The loss.</param>
    /// <returns>The worst relative error.</returns>
    public static double ReferenceAgainstFiniteDifferences(RnnShape shape, double[] parameters, SequenceData data, LossKind loss)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(data);
        (double[] h0, double[] c0) = ReferenceRnn.InitialStates(shape, data);
        var analytic = new double[parameters.Length];
        var dh0 = new double[h0.Length];
        var dc0 = new double[c0.Length];
        ReferenceRnn.RunWithState(shape, parameters, data, loss, h0, c0, analytic, dh0, initialCellStateGradient: dc0);

        double worst = Worst(parameters, analytic, shifted => ReferenceRnn.RunWithState(shape, shifted, data, loss, h0, c0));
        worst = Math.Max(worst, Worst(h0, dh0, shifted => ReferenceRnn.RunWithState(shape, parameters, data, loss, shifted, c0)));
        return Math.Max(worst, Worst(c0, dc0, shifted => ReferenceRnn.RunWithState(shape, parameters, data, loss, h0, shifted)));
    }

    /// <summary>
    /// Worst normwise relative error, over every parameter tensor, dh0 (and dc0), between the float32 engine and the
    /// float64 reference on the same model and batch.
    /// </summary>
    /// <param name="model">The model (its float32 parameters are what both sides use).</param>
    /// <param name="data">A batch.</param>
    /// <param name="loss">The loss.</param>
    /// <returns>The worst error.</returns>
    public static double EngineAgainstReference(RnnModel model, SequenceData data, LossKind loss)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        double[] parameters = Array.ConvertAll(model.Parameters, v => (double)v);
        var expected = new double[parameters.Length];
        var dh0 = new double[model.Shape.StateSize(data.Batch)];
        var dc0 = new double[model.Shape.HasCellState ? dh0.Length : 0];
        ReferenceRnn.Run(model.Shape, parameters, data, loss, expected, dh0, initialCellStateGradient: dc0);

        using var engine = new RnnEngine(model, data.Steps, data.Batch);
        engine.Forward(data.Inputs, data.Steps, data.Batch, data.Lengths, data.InitialState, data.InitialCellState);
        _ = loss == LossKind.CrossEntropy ? engine.BackwardCrossEntropy(data.ClassTargets) : engine.BackwardSquaredError(data.ValueTargets);
        double worst = NormwiseRelativeError(dh0, engine.InitialStateGradient);
        if (model.Shape.HasCellState)
        {
            worst = Math.Max(worst, NormwiseRelativeError(dc0, engine.InitialCellStateGradient));
        }

        foreach (ParameterTensor tensor in model.Layout.Tensors)
        {
            worst = Math.Max(worst, NormwiseRelativeError(expected.AsSpan(tensor.Offset, tensor.Length), engine.Gradients.AsSpan(tensor.Offset, tensor.Length)));
        }

        return worst;
    }

    /// <summary>||expected - actual|| / max(||expected||, 1e-3): relative, with an absolute floor for (near) zero tensors.</summary>
    /// <param name="expected">Reference values.</param>
    /// <param name="actual">Values under test, same length.</param>
    /// <returns>The error.</returns>
    /// <exception cref="ArgumentException">The two spans differ in length.</exception>
    public static double NormwiseRelativeError(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length)
        {
            throw new ArgumentException($"actual has {actual.Length} values, expected has {expected.Length}.", nameof(actual));
        }

        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff += (expected[i] - actual[i]) * (expected[i] - actual[i]);
            norm += expected[i] * expected[i];
        }

        return Math.Sqrt(diff) / Math.Max(Math.Sqrt(norm), 1e-3);
    }

    private static double Worst(double[] point, double[] analytic, Func<double[], double> loss)
    {
        const double Step = 1e-5;
        double worst = 0;
        for (int i = 0; i < point.Length; i++)
        {
            double[] plus = (double[])point.Clone(), minus = (double[])point.Clone();
            plus[i] += Step;
            minus[i] -= Step;
            double numeric = (loss(plus) - loss(minus)) / (2 * Step);
            worst = Math.Max(worst, Math.Abs(analytic[i] - numeric) / Math.Max(1e-2, Math.Abs(analytic[i]) + Math.Abs(numeric)));
        }

        return worst;
    }
}
