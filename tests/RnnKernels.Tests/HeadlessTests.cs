using RnnKernels;
using RnnKernels.IO;
using RnnKernels.Kernels;
using RnnKernels.Testing;

namespace RnnKernels.Tests;

/// <summary>
/// The recurrent layers alone (no output layer, O = 0), as a wrapper uses them inside its own model: outputs with zeros
/// at padding steps, and a backward pass from the caller's dOutputs, dh_n and dc_n, against the float64 reference and
/// finite differences, bitwise the same for any thread count, allocation-free, under PyTorch's own names.
/// </summary>
public sealed class HeadlessTests
{
    public static TheoryData<CellKind, Nonlinearity, int, bool, bool> Shapes => new()
    {
        { CellKind.Rnn, Nonlinearity.Tanh, 1, false, false },
        { CellKind.Rnn, Nonlinearity.Relu, 2, true, true },
        { CellKind.Lstm, Nonlinearity.Tanh, 1, false, true },
        { CellKind.Lstm, Nonlinearity.Tanh, 2, true, true },
        { CellKind.Gru, Nonlinearity.Tanh, 1, true, false },
        { CellKind.Gru, Nonlinearity.Tanh, 2, false, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardFromUpstreamGradientsMatchesTheReference(CellKind cell, Nonlinearity nonlinearity, int layers, bool bidirectional, bool ragged)
    {
        var shape = new RnnShape(3, 5, 0, layers, bidirectional, nonlinearity, cell);
        const int Steps = 6, Batch = 3;
        var model = new RnnModel(shape, seed: 4);
        SequenceData data = SequenceData.CreateRandom(shape, Steps, Batch, LossKind.SquaredError, seed: 7, ragged, initialState: true);
        (float[] dOut, float[] dhn, float[] dcn) = Upstream(shape, Steps, Batch, seed: 11);
        (double[] h0, double[] c0) = ReferenceRnn.InitialStates(shape, data);
        double[] parameters = Array.ConvertAll(model.Parameters, v => (double)v);
        var gradients = new double[parameters.Length];
        var dh0 = new double[shape.StateSize(Batch)];
        var dc0 = new double[shape.HasCellState ? dh0.Length : 0];
        var dx = new double[data.Inputs.Length];
        var upstream = new ReferenceRnn.Upstream(Doubles(dOut), Doubles(dhn), shape.HasCellState ? Doubles(dcn) : null);
        ReferenceRnn.RunLayers(shape, parameters, data, upstream, h0, c0, gradients, dh0, dc0, dx);
        var expectedHn = new double[dh0.Length];
        var expectedCn = new double[dc0.Length];
        ReferenceRnn.RunWithState(shape, parameters, data, LossKind.SquaredError, h0, c0, finalState: expectedHn, finalCellState: expectedCn,
            upstream: upstream);

        using var engine = new RnnEngine(model, Steps + 2, Batch + 1) { ComputeInputGradient = true };
        Run(engine, Case.Create(shape with { }, Steps + 2, Batch + 1, LossKind.SquaredError, ragged: true, withH0: true, seed: 3).Data,
            Upstream(shape, Steps + 2, Batch + 1, seed: 5)); // Dirty buffers first.
        engine.ZeroGradients();
        Run(engine, data, (dOut, dhn, shape.HasCellState ? dcn : []));

        Assert.Equal(Steps * Batch * shape.LayerOutputSize, engine.Outputs.Length);
        for (int t = 0; t < Steps; t++)
        {
            for (int b = 0; b < Batch; b++)
            {
                ReadOnlySpan<float> row = engine.Outputs.Slice(((t * Batch) + b) * shape.LayerOutputSize, shape.LayerOutputSize);
                ReadOnlySpan<float> hidden = engine.HiddenStates.Slice(((t * Batch) + b) * shape.LayerOutputSize, shape.LayerOutputSize);
                Assert.True(t < data.LengthOf(b) ? row.SequenceEqual(hidden) : !row.ContainsAnyExcept(0f), $"t={t} b={b}: padding rows are zeros, others h_t");
            }
        }

        AssertClose(expectedHn, engine.FinalState, 1e-5, "h_n");
        AssertClose(expectedCn, engine.FinalCellState, 1e-5, "c_n");
        AssertClose(dh0, engine.InitialStateGradient, 2e-5, "dh0");
        AssertClose(dc0, engine.InitialCellStateGradient, 2e-5, "dc0");
        AssertClose(dx, engine.InputGradient, 2e-5, "dx");
        foreach (ParameterTensor tensor in model.Layout.Tensors)
        {
            Assert.True(gradients.AsSpan(tensor.Offset, tensor.Length).ContainsAnyExcept(0d), $"{tensor.Name}: a reference gradient of zeros tests nothing");
            AssertClose(gradients.AsSpan(tensor.Offset, tensor.Length), engine.Gradients.AsSpan(tensor.Offset, tensor.Length), 2e-5, tensor.Name);
        }
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.Rnn)]
    public void TheReferenceFunctionalMatchesFiniteDifferences(CellKind cell)
    {
        var shape = new RnnShape(2, 3, 0, layers: 2, bidirectional: true, cell: cell);
        SequenceData data = SequenceData.CreateRandom(shape, 4, 2, LossKind.SquaredError, seed: 1, raggedLengths: true, initialState: true);
        double[] parameters = Array.ConvertAll(new RnnModel(shape, seed: 2).Parameters, v => (double)v);
        (float[] dOut, float[] dhn, float[] dcn) = Upstream(shape, 4, 2, seed: 9);
        var upstream = new ReferenceRnn.Upstream(Doubles(dOut), Doubles(dhn), shape.HasCellState ? Doubles(dcn) : null);
        (double[] h0, double[] c0) = ReferenceRnn.InitialStates(shape, data);
        var gradients = new double[parameters.Length];
        var dh0 = new double[h0.Length];
        ReferenceRnn.RunLayers(shape, parameters, data, upstream, h0, c0, gradients, dh0);
        const double Step = 1e-6;
        for (int i = 0; i < parameters.Length; i += 3)
        {
            double saved = parameters[i];
            parameters[i] = saved + Step;
            double plus = ReferenceRnn.RunLayers(shape, parameters, data, upstream, h0, c0);
            parameters[i] = saved - Step;
            double minus = ReferenceRnn.RunLayers(shape, parameters, data, upstream, h0, c0);
            parameters[i] = saved;
            double numeric = (plus - minus) / (2 * Step);
            Assert.True(Math.Abs(numeric - gradients[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"parameter {i}: {gradients[i]} vs {numeric}");
        }

        for (int i = 0; i < h0.Length; i++)
        {
            double saved = h0[i];
            h0[i] = saved + Step;
            double plus = ReferenceRnn.RunLayers(shape, parameters, data, upstream, h0, c0);
            h0[i] = saved - Step;
            double minus = ReferenceRnn.RunLayers(shape, parameters, data, upstream, h0, c0);
            h0[i] = saved;
            Assert.True(Math.Abs(((plus - minus) / (2 * Step)) - dh0[i]) <= 1e-6 * Math.Max(1, Math.Abs(dh0[i])), $"h0[{i}]");
        }
    }

    [Fact]
    public void BitwiseTheSameForAnyThreadCountAndAllocationFree()
    {
        var shape = new RnnShape(40, 64, 0, layers: 2, cell: CellKind.Lstm);
        var model = new RnnModel(shape, seed: 3);
        SequenceData data = SequenceData.CreateRandom(shape, 20, 16, LossKind.SquaredError, seed: 4, raggedLengths: true, initialState: true);
        (float[] dOut, float[] dhn, float[] dcn) = Upstream(shape, 20, 16, seed: 6);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
            using var engine = new RnnEngine(model, 20, 16, pool) { Dropout = 0.25f, DropoutSeed = 5 };
            engine.Forward(data.Inputs, 20, 16, data.Lengths, data.InitialState, data.InitialCellState);
            engine.Backward(dOut, dhn, dcn);
            float[] result = [.. engine.Gradients, .. engine.Outputs, .. engine.InitialStateGradient, .. engine.InitialCellStateGradient];
            first ??= result;
            Assert.Equal(first, result);
            long bytes = SteadyStateAllocation.PerCall(() =>
            {
                engine.Forward(data.Inputs, 20, 16, data.Lengths, data.InitialState, data.InitialCellState);
                engine.Backward(dOut, dhn, dcn);
            });
            Assert.Equal(0, bytes);
        }
    }

    [Fact]
    public void NamesAreTheModulesOwnAndFilesRoundTrip()
    {
        var shape = new RnnShape(3, 4, 0, layers: 2, bidirectional: true, cell: CellKind.Gru);
        var model = new RnnModel(shape, seed: 1);
        Assert.Equal(
            ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                "bias_hh_l0_reverse", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse",
                "bias_ih_l1_reverse", "bias_hh_l1_reverse"],
            model.Layout.Tensors.Select(t => t.Name));
        Assert.Null(model.Layout.OutputWeight);
        string path = Path.Combine(Path.GetTempPath(), $"rnnk-headless-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelFile.Save(model, path);
            (RnnModel loaded, _) = ModelFile.Load(path);
            Assert.Equal(shape, loaded.Shape);
            Assert.Equal(model.Parameters, loaded.Parameters);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ALossOnLayersWithoutAnOutputLayerIsRefusedNamingBackward()
    {
        var model = new RnnModel(new RnnShape(3, 4, 0), seed: 1);
        using var engine = new RnnEngine(model, 2, 1);
        engine.Forward(new float[6], 2, 1);
        Assert.Contains("call Backward(outputGradient", Assert.Throws<InvalidOperationException>(() => engine.BackwardCrossEntropy(new int[2])).Message,
            StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => engine.BackwardSquaredError(new float[8]));
        Assert.Contains("outputGradient must hold T x B x D*H = 2 x 1 x 4 = 8 values, but it has 7",
            Assert.Throws<ArgumentException>(() => engine.Backward(new float[7])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => engine.Backward(new float[8], new float[3]));
        Assert.Throws<ArgumentException>(() => engine.Backward(new float[8], [], new float[4])); // c_n is an LSTM's.
    }

    private static void Run(RnnEngine engine, SequenceData data, (float[] Out, float[] Hn, float[] Cn) upstream)
    {
        engine.Forward(data.Inputs, data.Steps, data.Batch, data.Lengths, data.InitialState, data.InitialCellState);
        engine.Backward(upstream.Out, upstream.Hn, engine.Model.Shape.HasCellState ? upstream.Cn : []);
    }

    private static (float[] Out, float[] Hn, float[] Cn) Upstream(RnnShape shape, int steps, int batch, int seed)
    {
        var random = new Random(seed);
        float[] Next(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        return (Next(steps * batch * shape.LayerOutputSize), Next(shape.StateSize(batch)), Next(shape.StateSize(batch)));
    }

    private static double[] Doubles(float[] values) => Array.ConvertAll(values, v => (double)v);

    private static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double error = GradientCheck.NormwiseRelativeError(expected, actual);
        Assert.True(error <= tolerance, $"{what}: relative error {error:E2} > {tolerance:E0}");
    }
}
