using RnnKernels;
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

    [Fact]
    public void RejectsBidirectionalModelsAndBadSizes()
    {
        Assert.Throws<ArgumentException>(() => new StreamingRnn(new RnnModel(new RnnShape(2, 3, 2, bidirectional: true), seed: 1)));
        var stream = new StreamingRnn(new RnnModel(new RnnShape(2, 3, 2), seed: 1));
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => stream.Step(new float[3], new float[2])).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => stream.Step(new float[2], new float[3])).ParamName);
    }
}
