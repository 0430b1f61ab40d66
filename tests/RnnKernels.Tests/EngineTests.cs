using RnnKernels;
using RnnKernels.Testing;

namespace RnnKernels.Tests;

/// <summary>The float32 engine against the float64 reference, tensor by tensor, for every feature combination.</summary>
public sealed class EngineTests
{
    [Theory]
    [MemberData(nameof(Case.Names), MemberType = typeof(Case))]
    public void MatchesReferenceLossStatesAndGradients(string name)
    {
        Case c = Case.Named(name);
        var model = new RnnModel(c.Shape, seed: 42);
        double[] parameters = Array.ConvertAll(model.Parameters, v => (double)v);
        var expectedGradients = new double[parameters.Length];
        var expectedDh0 = new double[c.Shape.StateSize(c.Data.Batch)];
        var expectedHn = new double[expectedDh0.Length];
        var expectedDc0 = new double[c.Shape.HasCellState ? expectedDh0.Length : 0];
        var expectedCn = new double[expectedDc0.Length];
        double expectedLoss = ReferenceRnn.Run(c.Shape, parameters, c.Data, c.Loss, expectedGradients, expectedDh0, expectedHn, expectedDc0, expectedCn);

        // A larger engine than needed, used once on other data first: pooled buffers come back dirty.
        using var engine = new RnnEngine(model, maxSteps: c.Data.Steps + 3, maxBatch: c.Data.Batch + 2);
        Case warmUp = Case.Create(c.Shape, c.Data.Steps + 3, c.Data.Batch + 2, c.Loss, ragged: true, withH0: true, seed: 99);
        double loss = Run(engine, warmUp);
        Assert.True(double.IsFinite(loss));

        engine.ZeroGradients();
        loss = Run(engine, c);
        Assert.True(Math.Abs(loss - expectedLoss) <= 1e-5 * Math.Abs(expectedLoss), $"{name}: loss {loss} vs {expectedLoss}");
        AssertClose(expectedHn, engine.FinalState, 1e-5, $"{name}: h_n");
        AssertClose(expectedDh0, engine.InitialStateGradient, 2e-5, $"{name}: dh0");
        Assert.Equal(expectedCn.Length, engine.FinalCellState.Length);
        if (c.Shape.HasCellState)
        {
            AssertClose(expectedCn, engine.FinalCellState, 1e-5, $"{name}: c_n");
            AssertClose(expectedDc0, engine.InitialCellStateGradient, 2e-5, $"{name}: dc0");
        }

        foreach (ParameterTensor tensor in model.Layout.Tensors)
        {
            AssertClose(expectedGradients.AsSpan(tensor.Offset, tensor.Length), engine.Gradients.AsSpan(tensor.Offset, tensor.Length), 2e-5, $"{name}: {tensor.Name}");
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    public void OneStepAtATimeWithCarriedStateEqualsTheWholeSequence(int layers, int batch)
    {
        var shape = new RnnShape(7, 33, 5, layers);
        var model = new RnnModel(shape, seed: 8);
        const int Steps = 40;
        SequenceData data = SequenceData.CreateRandom(shape, Steps, batch, LossKind.CrossEntropy, seed: 2, initialState: true);
        using var whole = new RnnEngine(model, Steps, batch);
        whole.Forward(data.Inputs, Steps, batch, default, data.InitialState);

        using var stepwise = new RnnEngine(model, 1, batch);
        float[] state = (float[])data.InitialState!.Clone();
        int width = batch * shape.InputSize, outputs = batch * shape.OutputSize;
        for (int t = 0; t < Steps; t++)
        {
            stepwise.Forward(data.Inputs.AsSpan(t * width, width), 1, batch, default, state);
            stepwise.FinalState.CopyTo(state);
            float[] expected = whole.Outputs.Slice(t * outputs, outputs).ToArray();
            float[] actual = stepwise.Outputs.ToArray();
            for (int i = 0; i < outputs; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * Math.Max(1, Math.Abs(expected[i])), $"t={t} o[{i}]: {actual[i]} vs {expected[i]}");
            }
        }

        Assert.Equal(whole.FinalState.ToArray(), state, new ToleranceComparer(1e-5f));
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardPasses()
    {
        Case c = Case.Named("Tanh L1 D1 CrossEntropy");
        var model = new RnnModel(c.Shape, seed: 1);
        using var engine = new RnnEngine(model, c.Data.Steps, c.Data.Batch);
        Run(engine, c);
        float[] once = (float[])engine.Gradients.Clone();
        // Every tensor has a gradient to accumulate (an all-zero pass would make the doubling below trivially true).
        foreach (ParameterTensor tensor in model.Layout.Tensors)
        {
            Assert.True(once.AsSpan(tensor.Offset, tensor.Length).ContainsAnyExcept(0f), $"{tensor.Name}'s gradient is all zeros");
        }

        Run(engine, c);
        for (int i = 0; i < once.Length; i++)
        {
            Assert.Equal(2 * once[i], engine.Gradients[i], 1e-6f * Math.Max(1, Math.Abs(once[i])));
        }
    }

    [Fact]
    public void InputGradientMatchesFiniteDifferencesOfTheReference()
    {
        Case c = Case.Named("Tanh L2 D2 CrossEntropy ragged h0");
        var model = new RnnModel(c.Shape, seed: 5);
        double[] parameters = Array.ConvertAll(model.Parameters, v => (double)v);
        using var engine = new RnnEngine(model, c.Data.Steps, c.Data.Batch) { ComputeInputGradient = true };
        Run(engine, c);
        float[] dx = engine.InputGradient.ToArray();
        for (int i = 0; i < dx.Length; i++)
        {
            // x is float in the data, so step by a power of two that every |x| < 1 can absorb exactly.
            const float Step = 1f / 1024;
            float[] plus = (float[])c.Data.Inputs.Clone(), minus = (float[])c.Data.Inputs.Clone();
            plus[i] += Step;
            minus[i] -= Step;
            double numeric = (ReferenceRnn.Run(c.Shape, parameters, c.Data with { Inputs = plus }, c.Loss)
                - ReferenceRnn.Run(c.Shape, parameters, c.Data with { Inputs = minus }, c.Loss)) / (plus[i] - minus[i]);
            Assert.True(Math.Abs(dx[i] - numeric) <= 1e-3 * Math.Max(1, Math.Abs(numeric)), $"dx[{i}] = {dx[i]}, numeric {numeric}");
        }
    }

    [Theory]
    [InlineData(CellKind.Rnn, 4)]
    [InlineData(CellKind.Lstm, 4)]
    [InlineData(CellKind.Gru, 4)]
    [InlineData(CellKind.Lstm, 1)]
    [InlineData(CellKind.Gru, 1)]
    public void ForwardAndBackwardAllocateNothingAfterWarmUp(CellKind cell, int batch)
    {
        Case c = Case.Create(new RnnShape(16, 32, 16, 2, bidirectional: true, cell: cell), steps: 12, batch, LossKind.CrossEntropy, ragged: batch > 1, withH0: true, seed: 3);
        using var engine = new RnnEngine(new RnnModel(c.Shape, seed: 1), c.Data.Steps, c.Data.Batch) { ComputeInputGradient = true };
        Run(engine, c);
        Assert.Equal(0, SteadyStateAllocation.PerCall(() =>
        {
            engine.ZeroGradients();
            Run(engine, c);
        }));
    }

    [Fact]
    public void RejectsBadArgumentsWithTheirNames()
    {
        using var engine = new RnnEngine(new RnnModel(new RnnShape(2, 3, 4), seed: 1), maxSteps: 5, maxBatch: 2);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => engine.Forward(new float[12], 6, 1)).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => engine.Forward(new float[7], 2, 2)).ParamName);
        Assert.Equal("lengths", Assert.Throws<ArgumentOutOfRangeException>(() => engine.Forward(new float[8], 2, 2, [1, 3])).ParamName);
        Assert.Equal("initialState", Assert.Throws<ArgumentException>(() => engine.Forward(new float[8], 2, 2, [], new float[5])).ParamName);
        Assert.Throws<InvalidOperationException>(() => engine.BackwardCrossEntropy(new int[4]));
        engine.Forward(new float[8], 2, 2);
        Assert.Equal("targets", Assert.Throws<ArgumentOutOfRangeException>(() => engine.BackwardCrossEntropy([0, 1, 4, 0])).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => engine.BackwardSquaredError(new float[3])).ParamName);
    }

    internal static double Run(RnnEngine engine, Case c)
    {
        engine.Forward(c.Data.Inputs, c.Data.Steps, c.Data.Batch, c.Data.Lengths, c.Data.InitialState, c.Data.InitialCellState);
        return c.Loss == LossKind.CrossEntropy ? engine.BackwardCrossEntropy(c.Data.ClassTargets) : engine.BackwardSquaredError(c.Data.ValueTargets);
    }

    private static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        double error = GradientCheck.NormwiseRelativeError(expected, actual);
        Assert.True(error <= tolerance, $"{what}: relative error {error:E2} > {tolerance:E0}");
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(float obj) => 0;
    }
}
