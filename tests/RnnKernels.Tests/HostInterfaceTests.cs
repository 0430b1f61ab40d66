using RnnKernels;
using RnnKernels.Optimizers;
using RnnKernels.Testing;

namespace RnnKernels.Tests;

/// <summary>What a host or wrapper uses: both losses through the Trainer, named tensors, hidden states, snapshots, dispose.</summary>
public sealed class HostInterfaceTests
{
    private static readonly RnnShape Shape = new(5, 9, 4, layers: 2);

    [Theory]
    [InlineData(LossKind.CrossEntropy)]
    [InlineData(LossKind.SquaredError)]
    public void TrainerStepIsTheHandWrittenLoopBitwiseForEveryLossAndAllocatesNothing(LossKind loss)
    {
        SequenceData data = SequenceData.CreateRandom(Shape, 7, 3, loss, seed: 2, raggedLengths: true, initialState: true);
        var byHand = new RnnModel(Shape, seed: 1);
        using var engine = new RnnEngine(byHand, 7, 3);
        var sgd = new Sgd(byHand.Parameters.Length, 0.1f, momentum: 0.5f);
        var model = new RnnModel(Shape, seed: 1);
        using var trainerEngine = new RnnEngine(model, 7, 3);
        var trainer = new Trainer(trainerEngine, new Sgd(model.Parameters.Length, 0.1f, momentum: 0.5f), clipNorm: 0.25f, gradientScale: 0.5f);
        for (int step = 0; step < 3; step++)
        {
            engine.ZeroGradients();
            engine.Forward(data.Inputs, 7, 3, data.Lengths, data.InitialState);
            double loss1 = loss == LossKind.CrossEntropy ? engine.BackwardCrossEntropy(data.ClassTargets) : engine.BackwardSquaredError(data.ValueTargets);
            float[] g = engine.Gradients;
            Kernels.Elementwise.Scale(g, 0.5f, g);
            double norm = Math.Sqrt(Kernels.Reductions.SumOfSquares(g));
            GradientClipping.Clip(g, norm, 0.25f);
            sgd.Step(byHand.Parameters, g);

            TrainStepResult result = loss == LossKind.CrossEntropy
                ? trainer.Step(data.Inputs, 7, 3, data.ClassTargets, data.InitialState, data.Lengths)
                : trainer.Step(data.Inputs, 7, 3, data.ValueTargets, data.InitialState, data.Lengths);
            Assert.Equal(loss1, result.Loss);
            Assert.Equal(norm, result.GradientNorm);
            Assert.Equal(byHand.Parameters, model.Parameters);
        }

        long bytes = loss == LossKind.CrossEntropy
            ? SteadyStateAllocation.PerCall(() => trainer.Step(data.Inputs, 7, 3, data.ClassTargets, data.InitialState, data.Lengths))
            : SteadyStateAllocation.PerCall(() => trainer.Step(data.Inputs, 7, 3, data.ValueTargets, data.InitialState, data.Lengths));
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void TensorsByNameAreViewsAndUnknownNamesAreListed()
    {
        var model = new RnnModel(Shape, seed: 1);
        using var engine = new RnnEngine(model, 3, 2);
        model.Parameter("rnn.bias_hh_l1")[2] = 42f;
        Assert.Equal(42f, model.View(model.Layout.Recurrent(1, 0).BiasHh)[2]);
        engine.Gradient("out.weight")[0] = 7f;
        Assert.Equal(7f, engine.Gradients[model.Layout.OutputWeight!.Offset]);
        Assert.Equal(9, model.ParameterMatrix("rnn.weight_ih_l1").Height);
        Assert.Equal(9, model.ParameterMatrix("rnn.weight_ih_l1").Width);
        Assert.Equal(42f, model.ParameterMatrix("rnn.bias_hh_l1")[0, 2]);
        model.ParameterMatrix("out.weight")[3, 8] = -5f;
        Assert.Equal(-5f, model.Parameters[model.Layout.OutputWeight.Offset + (3 * 9) + 8]);
        engine.GradientMatrix("out.weight")[1, 1] = 3f;
        Assert.Equal(3f, engine.Gradient("out.weight")[10]);
        ArgumentException e = Assert.Throws<ArgumentException>(() => model.Parameter("rnn.weight_ih_l7"));
        Assert.Contains("'rnn.weight_ih_l7' is not a tensor of this model; its tensors are rnn.weight_ih_l0,", e.Message);
    }

    [Fact]
    public void HiddenStatesAreTheLastLayersOutputAndFeedTheOutputLayer()
    {
        var shape = new RnnShape(3, 6, 2, layers: 2, bidirectional: true);
        var model = new RnnModel(shape, seed: 1);
        using var engine = new RnnEngine(model, 4, 2);
        SequenceData data = SequenceData.CreateRandom(shape, 4, 2, LossKind.CrossEntropy, seed: 1);
        engine.Forward(data.Inputs, 4, 2);
        Assert.Equal(4 * 2 * 12, engine.HiddenStates.Length);
        // o = W_o h + b_o, recomputed in double from the hidden states.
        ReadOnlySpan<float> w = model.View(model.Layout.OutputWeight!), b = model.View(model.Layout.OutputBias!);
        for (int row = 0; row < 8; row++)
        {
            for (int o = 0; o < 2; o++)
            {
                double sum = b[o];
                for (int j = 0; j < 12; j++)
                {
                    sum += (double)w[(o * 12) + j] * engine.HiddenStates[(row * 12) + j];
                }

                Assert.Equal(sum, engine.Outputs[(row * 2) + o], 1e-5);
            }
        }

        // The last step of the forward direction of the last layer is h_n's second layer, forward.
        Assert.Equal(engine.FinalState.Slice(2 * 2 * 6, 6).ToArray(), engine.HiddenStates.Slice(3 * 2 * 12, 6).ToArray());
    }

    [Theory]
    [InlineData(1)] // The weights packed for one-row products.
    [InlineData(2)] // In panels.
    public void StreamServesASnapshotUntilRefreshedAndRunsWholeSequences(int batch)
    {
        var shape = new RnnShape(4, 8, 3);
        var model = new RnnModel(shape, seed: 2);
        SequenceData data = SequenceData.CreateRandom(shape, 5, batch, LossKind.CrossEntropy, seed: 1);
        var stream = new StreamingRnn(model, batch);
        float[] before = new float[5 * batch * 3];
        stream.Run(data.Inputs, 5, before);

        model.Initialize(seed: 99); // Training elsewhere changes the live weights.
        stream.Reset();
        float[] again = new float[before.Length];
        stream.Run(data.Inputs, 5, again);
        Assert.Equal(before, again);

        stream.Refresh();
        stream.Reset();
        stream.Run(data.Inputs, 5, again);
        using var engine = new RnnEngine(model, 5, batch);
        engine.Forward(data.Inputs, 5, batch);
        for (int i = 0; i < again.Length; i++)
        {
            Assert.Equal(engine.Outputs[i], again[i], 1e-5f);
        }

        Assert.Equal(0, SteadyStateAllocation.PerCall(() => stream.Run(data.Inputs, 5, again)));
        Assert.Equal("outputs", Assert.Throws<ArgumentException>(() => stream.Run(data.Inputs, 5, new float[3])).ParamName);
    }
}
