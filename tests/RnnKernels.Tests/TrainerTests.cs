using RnnKernels;
using RnnKernels.Optimizers;
using RnnKernels.Testing;

namespace RnnKernels.Tests;

public sealed class TrainerTests
{
    [Fact]
    public void NonFiniteLossNeverReachesTheWeights()
    {
        var shape = new RnnShape(4, 6, 3);
        var model = new RnnModel(shape, seed: 1);
        using var trainerEngine = new RnnEngine(model, 5, 2);
        var trainer = new Trainer(trainerEngine, new Adam(model.Parameters.Length, 0.01f), clipNorm: 1f);
        SequenceData data = SequenceData.CreateRandom(shape, 5, 2, LossKind.CrossEntropy, seed: 3);
        float[] before = (float[])model.Parameters.Clone();
        float[] poisoned = (float[])data.Inputs.Clone();
        poisoned[7] = float.NaN;
        TrainStepResult result = trainer.Step(poisoned, 5, 2, data.ClassTargets);
        Assert.False(result.Applied);
        Assert.Equal(before, model.Parameters);

        result = trainer.Step(data.Inputs, 5, 2, data.ClassTargets);
        Assert.True(result.Applied);
        Assert.NotEqual(before, model.Parameters);
        Assert.All(model.Parameters, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void ClipByGlobalNormScalesToTheNormAndLeavesSmallOrNonFiniteGradientsAlone()
    {
        float[] gradients = [3f, 4f, 0f, -12f]; // Norm 13.
        Assert.Equal(13.0, GradientClipping.ClipByGlobalNorm(gradients, 6.5f), 6);
        Assert.Equal([1.5f, 2f, 0f, -6f], gradients, new ToleranceComparer(1e-6f));
        float[] small = [0.3f, -0.4f];
        Assert.Equal(0.5, GradientClipping.ClipByGlobalNorm(small, 1f), 6);
        Assert.Equal([0.3f, -0.4f], small);
        float[] poisoned = [1f, float.NaN];
        Assert.True(double.IsNaN(GradientClipping.ClipByGlobalNorm(poisoned, 1f)));
        Assert.Equal(1f, poisoned[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(small, 0f));
    }

    [Fact]
    public void CrossEntropyOverOneOutputUnitIsRefusedNamingSquaredError()
    {
        // A one-class softmax has loss 0 whatever the weights: training it would silently learn nothing.
        var model = new RnnModel(new RnnShape(3, 4, 1), seed: 1);
        using var engine = new RnnEngine(model, 2, 1);
        var trainer = new Trainer(engine, new Sgd(model.Parameters.Length, 0.1f));
        var refused = Assert.Throws<InvalidOperationException>(() => trainer.Step(new float[6], 2, 1, new int[2]));
        Assert.Contains("squared error", refused.Message, StringComparison.Ordinal);
        engine.Forward(new float[6], 2, 1);
        Assert.Throws<InvalidOperationException>(() => engine.BackwardCrossEntropy(new int[2]));
        Assert.Throws<InvalidOperationException>(() => engine.CrossEntropyLoss(new int[2]));
        Assert.True(trainer.Step(new float[6], 2, 1, new float[2]).Applied);
    }

    [Fact]
    public void ClippingBoundsTheUpdateAndTrainingAllocatesNothing()
    {
        var shape = new RnnShape(4, 6, 3);
        var model = new RnnModel(shape, seed: 1);
        using var engine = new RnnEngine(model, 5, 2);
        var trainer = new Trainer(engine, new Sgd(model.Parameters.Length, 1f), clipNorm: 0.5f);
        SequenceData data = SequenceData.CreateRandom(shape, 5, 2, LossKind.CrossEntropy, seed: 3);
        float[] before = (float[])model.Parameters.Clone();
        TrainStepResult result = trainer.Step(data.Inputs, 5, 2, data.ClassTargets);
        Assert.True(result.GradientNorm > 0.5);
        double moved = Math.Sqrt(before.Zip(model.Parameters, (a, b) => (double)(a - b) * (a - b)).Sum());
        Assert.InRange(moved, 0.49, 0.5001); // lr 1 times a gradient clipped to norm 0.5

        Assert.Equal(0, SteadyStateAllocation.PerCall(() => trainer.Step(data.Inputs, 5, 2, data.ClassTargets)));
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adagrad")]
    [InlineData("adam")]
    public void OptimizersMatchTheirPyTorchUpdateRules(string name)
    {
        // Two steps against the textbook (torch.optim) formulas in double precision.
        float[] p = [0.5f, -1f, 2f, 0f, 3f, -0.25f, 1f, 1.5f, -2f];
        float[][] grads = [[0.1f, -0.2f, 0.3f, 0f, 1f, -1f, 0.5f, 0.25f, -0.75f], [0.2f, 0.1f, -0.3f, 0.4f, -1f, 2f, 0f, 0.5f, 0.25f]];
        IOptimizer optimizer = name switch
        {
            "sgd" => new Sgd(p.Length, 0.1f),
            "momentum" => new Sgd(p.Length, 0.1f, momentum: 0.9f),
            "adagrad" => new Adagrad(p.Length, 0.1f),
            _ => new Adam(p.Length, 0.1f),
        };
        double[] expected = Array.ConvertAll(p, v => (double)v);
        double[] s1 = new double[p.Length], s2 = new double[p.Length];
        for (int step = 1; step <= 2; step++)
        {
            optimizer.Step(p, grads[step - 1]);
            for (int i = 0; i < p.Length; i++)
            {
                double g = grads[step - 1][i];
                switch (name)
                {
                    case "sgd": expected[i] -= 0.1 * g; break;
                    case "momentum": s1[i] = step == 1 ? g : (0.9 * s1[i]) + g; expected[i] -= 0.1 * s1[i]; break;
                    case "adagrad": s1[i] += g * g; expected[i] -= 0.1 * g / (Math.Sqrt(s1[i]) + 1e-10); break;
                    default:
                        s1[i] = (0.9 * s1[i]) + (0.1 * g);
                        s2[i] = (0.999 * s2[i]) + (0.001 * g * g);
                        expected[i] -= 0.1 * (s1[i] / (1 - Math.Pow(0.9, step))) / (Math.Sqrt(s2[i] / (1 - Math.Pow(0.999, step))) + 1e-8);
                        break;
                }
            }
        }

        for (int i = 0; i < p.Length; i++)
        {
            Assert.True(Math.Abs(p[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"{name} p[{i}] = {p[i]}, expected {expected[i]}");
        }
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(float obj) => 0;
    }
}
