using RnnKernels.Kernels;
using RnnKernels.Testing;

namespace RnnKernels.Tests;

/// <summary>
/// Dropout between layers: engine gradients against the float64 reference given the same masks (and the reference
/// against finite differences with those masks), masks identical for any thread count and replayable by pass, the
/// drop rate and scale, and no allocation per step once the masks exist.
/// </summary>
public sealed class DropoutTests
{
    public static TheoryData<CellKind, bool, bool> Shapes => new()
    {
        { CellKind.Rnn, false, false }, { CellKind.Rnn, true, true }, { CellKind.Lstm, false, true }, { CellKind.Lstm, true, false },
        { CellKind.Gru, false, true }, { CellKind.Gru, true, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GradientsMatchTheFloat64ReferenceWithTheSameMasks(CellKind cell, bool bidirectional, bool ragged)
    {
        var shape = new RnnShape(3, 4, 5, layers: 3, bidirectional, cell: cell);
        var model = new RnnModel(shape, seed: 11);
        SequenceData data = SequenceData.CreateRandom(shape, 6, 3, LossKind.CrossEntropy, seed: 5, ragged, initialState: true);
        using var engine = new RnnEngine(model, 6, 3) { Dropout = 0.4f, DropoutSeed = 17 };
        engine.Forward(data.Inputs, 6, 3, data.Lengths, data.InitialState, data.InitialCellState);
        float[][] masks = [.. Enumerable.Range(0, shape.Layers - 1).Select(l => engine.DropoutMask(l).ToArray())];
        double loss = engine.BackwardCrossEntropy(data.ClassTargets);
        Assert.All(masks, m => Assert.Contains(0f, m));

        double[] parameters = Array.ConvertAll(model.Parameters, v => (double)v);
        double[] expected = new double[parameters.Length];
        double expectedLoss = ReferenceRnn.Run(shape, parameters, data, LossKind.CrossEntropy, expected, dropoutMasks: masks);
        Assert.Equal(expectedLoss, loss, 1e-5 * Math.Abs(expectedLoss));
        Assert.True(GradientCheck.NormwiseRelativeError(expected, engine.Gradients) <= 2e-5, $"{cell}: gradients");
        double withoutDropout = ReferenceRnn.Run(shape, parameters, data, LossKind.CrossEntropy);
        Assert.NotEqual(withoutDropout, expectedLoss, 1e-3);

        // The reference's masked gradients against central differences of its own masked loss.
        var random = new Random(3);
        for (int check = 0; check < 25; check++)
        {
            int i = random.Next(parameters.Length);
            double saved = parameters[i], h = 1e-6;
            parameters[i] = saved + h;
            double plus = ReferenceRnn.Run(shape, parameters, data, LossKind.CrossEntropy, dropoutMasks: masks);
            parameters[i] = saved - h;
            double minus = ReferenceRnn.Run(shape, parameters, data, LossKind.CrossEntropy, dropoutMasks: masks);
            parameters[i] = saved;
            Assert.Equal(expected[i], (plus - minus) / (2 * h), 1e-6 + (1e-5 * Math.Abs(expected[i])));
        }
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    public void MasksAndGradientsAreBitwiseTheSameForAnyThreadCountAndReplayByPass(CellKind cell)
    {
        var shape = new RnnShape(40, 96, 30, layers: 3, cell: cell);
        var model = new RnnModel(shape, seed: 2);
        SequenceData data = SequenceData.CreateRandom(shape, 20, 16, LossKind.CrossEntropy, seed: 4);
        float[]? gradients = null, mask = null;
        for (int threads = 1; threads <= 3; threads++)
        {
            using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
            using var engine = new RnnEngine(model, 20, 16, pool) { Dropout = 0.25f, DropoutSeed = 99, DropoutPass = 7 };
            engine.Forward(data.Inputs, 20, 16);
            float[] m = engine.DropoutMask(1).ToArray();
            engine.BackwardCrossEntropy(data.ClassTargets);
            Assert.Equal(8, engine.DropoutPass);
            mask ??= m;
            gradients ??= engine.Gradients.ToArray();
            Assert.Equal(mask, m);
            Assert.Equal(gradients, engine.Gradients.ToArray());
        }

        using var other = new RnnEngine(model, 20, 16) { Dropout = 0.25f, DropoutSeed = 99, DropoutPass = 8 };
        other.Forward(data.Inputs, 20, 16);
        Assert.NotEqual(mask, other.DropoutMask(1).ToArray());
        float kept = 1f / 0.75f;
        Assert.All(mask!, v => Assert.True(v == 0f || v == kept));
        double dropped = mask!.Count(v => v == 0f) / (double)mask!.Length;
        Assert.InRange(dropped, 0.23, 0.27);
    }

    [Fact]
    public void OffByDefaultNothingForOneLayerAndNoAllocationPerStep()
    {
        var shape = new RnnShape(5, 8, 5, layers: 2);
        var model = new RnnModel(shape, seed: 1);
        SequenceData data = SequenceData.CreateRandom(shape, 4, 2, LossKind.CrossEntropy, seed: 1);
        using var plain = new RnnEngine(model, 4, 2);
        plain.Forward(data.Inputs, 4, 2);
        Assert.True(plain.DropoutMask(0).IsEmpty);
        Assert.Throws<ArgumentOutOfRangeException>(() => plain.Dropout = 1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => plain.Dropout = float.NaN);

        using var engine = new RnnEngine(model, 4, 2) { Dropout = 0.5f };
        void Step()
        {
            engine.ZeroGradients();
            engine.Forward(data.Inputs, 4, 2);
            engine.BackwardCrossEntropy(data.ClassTargets);
        }

        Step();
        Assert.Equal(0, SteadyStateAllocation.PerCall(Step));

        var single = new RnnModel(new RnnShape(5, 8, 5), seed: 1);
        using var one = new RnnEngine(single, 4, 2) { Dropout = 0.5f };
        one.Forward(data.Inputs, 4, 2);
        Assert.Equal(0, one.DropoutPass); // One layer: no output is dropped (as in PyTorch), no pass is drawn.
    }
}
