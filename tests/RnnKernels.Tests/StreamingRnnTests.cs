using RnnKernels;
using RnnKernels.Kernels;
using RnnKernels.Testing;

namespace RnnKernels.Tests;

public sealed class StreamingRnnTests
{
    [Theory]
    [InlineData(1, 1, Nonlinearity.Tanh, CellKind.Rnn)]
    [InlineData(2, 3, Nonlinearity.Relu, CellKind.Rnn)]
    [InlineData(1, 1, Nonlinearity.Tanh, CellKind.Lstm)]
    [InlineData(2, 3, Nonlinearity.Tanh, CellKind.Lstm)]
    [InlineData(1, 1, Nonlinearity.Tanh, CellKind.Gru)]
    [InlineData(2, 3, Nonlinearity.Tanh, CellKind.Gru)]
    public void StepsMatchTheSequenceEngineAndAllocateNothing(int layers, int batch, Nonlinearity nonlinearity, CellKind cell)
    {
        var shape = new RnnShape(6, 19, 4, layers, nonlinearity: nonlinearity, cell: cell);
        var model = new RnnModel(shape, seed: 3);
        const int Steps = 12;
        SequenceData data = SequenceData.CreateRandom(shape, Steps, batch, LossKind.CrossEntropy, seed: 5);
        using var engine = new RnnEngine(model, Steps, batch);
        engine.Forward(data.Inputs, Steps, batch);

        var stream = new StreamingRnn(model, batch);
        float[] output = new float[batch * shape.OutputSize];
        int width = batch * shape.InputSize;
        for (int t = 0; t < Steps; t++)
        {
            stream.Step(data.Inputs.AsSpan(t * width, width), output);
            ReadOnlySpan<float> expected = engine.Outputs.Slice(t * output.Length, output.Length);
            for (int i = 0; i < output.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - output[i]) <= 1e-5f * Math.Max(1, Math.Abs(expected[i])), $"t={t} o[{i}]");
            }
        }

        Assert.Equal(engine.FinalState.Length, stream.State.Length);
        Assert.Equal(engine.FinalCellState.Length, stream.CellState.Length);
        for (int i = 0; i < stream.State.Length; i++)
        {
            Assert.True(Math.Abs(engine.FinalState[i] - stream.State[i]) <= 1e-5f, $"h_n[{i}]");
        }

        for (int i = 0; i < stream.CellState.Length; i++)
        {
            Assert.True(Math.Abs(engine.FinalCellState[i] - stream.CellState[i]) <= 1e-5f, $"c_n[{i}]");
        }

        Assert.Equal(0, SteadyStateAllocation.PerCall(() => stream.Step(data.Inputs.AsSpan(0, width), output)));
    }

    public static TheoryData<CellKind, Nonlinearity, int, bool, int, bool, int> RunCases => new()
    {
        // cell, nonlinearity, layers, bidirectional, batch, ragged, output size (0: the recurrent layers alone)
        { CellKind.Rnn, Nonlinearity.Tanh, 1, false, 1, false, 5 },
        { CellKind.Rnn, Nonlinearity.Relu, 2, true, 4, true, 5 },
        { CellKind.Rnn, Nonlinearity.Tanh, 2, false, 3, true, 0 },
        { CellKind.Lstm, Nonlinearity.Tanh, 1, false, 1, false, 5 },
        { CellKind.Lstm, Nonlinearity.Tanh, 2, true, 4, true, 5 },
        { CellKind.Lstm, Nonlinearity.Tanh, 3, false, 5, false, 0 },
        { CellKind.Gru, Nonlinearity.Tanh, 1, false, 1, false, 5 },
        { CellKind.Gru, Nonlinearity.Tanh, 2, true, 3, true, 0 },
        { CellKind.Gru, Nonlinearity.Tanh, 2, false, 4, true, 5 },
    };

    [Theory]
    [MemberData(nameof(RunCases))]
    public void RunGivesTheEnginesOutputsAndStatesAllocationFreeAndTheSameForAnyThreadCount(
        CellKind cell, Nonlinearity nonlinearity, int layers, bool bidirectional, int batch, bool ragged, int outputs)
    {
        var shape = new RnnShape(7, 20, outputs, layers, bidirectional, nonlinearity, cell);
        var model = new RnnModel(shape, seed: 6);
        const int Steps = 9;
        SequenceData data = SequenceData.CreateRandom(shape, Steps, batch, LossKind.SquaredError, seed: 8, ragged, initialState: true);
        using var engine = new RnnEngine(model, Steps, batch);
        engine.Forward(data.Inputs, Steps, batch, data.Lengths, data.InitialState, data.InitialCellState);

        float[]? first = null;
        foreach (int threads in new[] { 1, 2 })
        {
            using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
            var stream = new StreamingRnn(model, batch, pool);
            float[] output = new float[Steps * batch * shape.NetworkOutputSize];
            stream.Run(new float[data.Inputs.Length * 2], 2 * Steps, new float[output.Length * 2]); // Buffers grown and dirty first.
            data.InitialState!.CopyTo(stream.State);
            data.InitialCellState?.CopyTo(stream.CellState);
            stream.Run(data.Inputs, Steps, output, data.Lengths);
            AssertClose(engine.Outputs, output, "outputs");
            AssertClose(engine.FinalState, stream.State, "h_n");
            AssertClose(engine.FinalCellState, stream.CellState, "c_n");
            float[] result = [.. output, .. stream.State, .. stream.CellState];
            first ??= result;
            Assert.Equal(first, result);
            Assert.Equal(0, SteadyStateAllocation.PerCall(() => stream.Run(data.Inputs, Steps, output, data.Lengths)));
        }
    }

    [Theory]
    [InlineData(CellKind.Lstm, 128)]
    [InlineData(CellKind.Gru, 150)]
    public void AtBatchOneTheThreadsSplitTheStepProductAndUpdateTheirOwnUnits(CellKind cell, int hidden)
    {
        // Wide enough that the one-row step product is split between two threads, at a column that falls inside a
        // unit group, so both the fused updates and the one left for after the product run.
        var shape = new RnnShape(9, hidden, 4, layers: 2, cell: cell);
        var model = new RnnModel(shape, seed: 3);
        SequenceData data = SequenceData.CreateRandom(shape, 7, 1, LossKind.SquaredError, seed: 5, initialState: true);
        using var engine = new RnnEngine(model, 7, 1);
        engine.Forward(data.Inputs, 7, 1, default, data.InitialState, data.InitialCellState);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2 })
        {
            using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
            var stream = new StreamingRnn(model, 1, pool);
            data.InitialState!.CopyTo(stream.State);
            data.InitialCellState?.CopyTo(stream.CellState);
            float[] output = new float[7 * 4];
            stream.Run(data.Inputs, 7, output);
            AssertClose(engine.Outputs, output, "outputs");
            AssertClose(engine.FinalState, stream.State, "h_n");
            float[] result = [.. output, .. stream.State, .. stream.CellState];
            first ??= result;
            Assert.Equal(first, result);
        }
    }

    [Fact]
    public void RunContinuesFromTheStateAsStepsDo()
    {
        var shape = new RnnShape(4, 16, 3, layers: 2, cell: CellKind.Lstm);
        var model = new RnnModel(shape, seed: 2);
        SequenceData data = SequenceData.CreateRandom(shape, 10, 2, LossKind.SquaredError, seed: 4);
        var stepped = new StreamingRnn(model, 2);
        var run = new StreamingRnn(model, 2);
        float[] output = new float[2 * 3], outputs = new float[10 * 2 * 3];
        for (int chunk = 0; chunk < 2; chunk++)
        {
            for (int t = 0; t < 10; t++)
            {
                stepped.Step(data.Inputs.AsSpan(t * 8, 8), output);
            }

            run.Run(data.Inputs, 10, outputs);
            AssertClose(output, outputs.AsSpan(9 * 6, 6), "the last step's output");
            AssertClose(stepped.State, run.State, "h");
            AssertClose(stepped.CellState, run.CellState, "c");
        }
    }

    [Fact]
    public void RejectsStepsOfBidirectionalModelsAndBadSizes()
    {
        var bidirectional = new StreamingRnn(new RnnModel(new RnnShape(2, 3, 2, bidirectional: true), seed: 1));
        Assert.Contains("use Run", Assert.Throws<InvalidOperationException>(() => bidirectional.Step(new float[2], new float[2])).Message,
            StringComparison.Ordinal);
        var stream = new StreamingRnn(new RnnModel(new RnnShape(2, 3, 2), seed: 1));
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => stream.Step(new float[3], new float[2])).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => stream.Step(new float[2], new float[3])).ParamName);
        Assert.Equal("outputs", Assert.Throws<ArgumentException>(() => stream.Run(new float[4], 2, new float[3])).ParamName);
        Assert.Equal("lengths", Assert.Throws<ArgumentOutOfRangeException>(() => stream.Run(new float[4], 2, new float[4], [3])).ParamName);
        Assert.Equal("lengths", Assert.Throws<ArgumentException>(() => stream.Run(new float[4], 2, new float[4], [1, 1])).ParamName);
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double error = GradientCheck.NormwiseRelativeError(Array.ConvertAll(expected.ToArray(), v => (double)v), actual);
        Assert.True(error <= 1e-6, $"{what}: relative error {error:E2}");
    }
}
