using RnnKernels;
using RnnKernels.IO;
using RnnKernels.Kernels;
using RnnKernels.Optimizers;

namespace RnnKernels.Tests;

/// <summary>Training N steps, saving, loading into fresh objects and training N more equals 2N steps bitwise.</summary>
public sealed class CheckpointTests : IDisposable
{
    private static readonly RnnShape Shape = new(5, 24, 7, layers: 2, bidirectional: true);
    private const int Steps = 6, Batch = 4, HalfRun = 5;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"rnnk-ckpt-{Guid.NewGuid():N}");

    public CheckpointTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("sgd", 1)]
    [InlineData("momentum", 1)]
    [InlineData("adagrad", 1)]
    [InlineData("adam", 1)]
    [InlineData("adam", 2)]
    [InlineData("momentum", 2)]
    public void ResumingFromACheckpointIsBitwiseTheUninterruptedRun(string optimizer, int threads)
    {
        using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
        var straight = new RnnModel(Shape, seed: 4);
        IOptimizer straightOptimizer = Create(optimizer, straight.Parameters.Length);
        Train(straight, straightOptimizer, pool, 0, 2 * HalfRun);

        var first = new RnnModel(Shape, seed: 4);
        IOptimizer firstOptimizer = Create(optimizer, first.Parameters.Length);
        Train(first, firstOptimizer, pool, 0, HalfRun);
        string path = Path.Combine(_dir, "state.safetensors");
        TrainingCheckpoint.Save(path, first, firstOptimizer, new Dictionary<string, string> { ["position"] = "42" });

        TrainingCheckpoint resumed = TrainingCheckpoint.Load(path);
        Assert.Equal("42", resumed.Metadata["position"]);
        Assert.Equal(optimizer == "momentum" ? "sgd" : optimizer, resumed.Optimizer.Kind);
        Assert.Equal(HalfRun, resumed.Optimizer.Steps);
        Train(resumed.Model, resumed.Optimizer, pool, HalfRun, 2 * HalfRun);
        Assert.Equal(straight.Parameters, resumed.Model.Parameters);
        foreach (((string name, float[] expected), (_, float[] actual)) in straightOptimizer.State().Zip(resumed.Optimizer.State()))
        {
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"optimizer state '{name}' differs");
        }
    }

    [Fact]
    public void CheckpointIsAlsoAModelFileAndAModelFileIsNoCheckpoint()
    {
        var model = new RnnModel(Shape, seed: 1);
        string path = Path.Combine(_dir, "c.safetensors");
        TrainingCheckpoint.Save(path, model, new Adam(model.Parameters.Length, 1e-3f));
        string modelPath = Path.Combine(_dir, "m.safetensors");
        ModelFile.Save(model, modelPath);
        Expect(modelPath, "metadata 'optimizer' is missing: this is a model file, not a training checkpoint");
        // A checkpoint is a model file too: its model loads as it was saved, the optimizer state left aside.
        Assert.Equal(model.Parameters, ModelFile.Load(path).Model.Parameters);

        // Optimizer tensors in a file that does not say it is a checkpoint are still refused, not dropped silently.
        (IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string> metadata) = SafeTensorsFile.Read(path);
        string stray = Rewrite(tensors, metadata.Where(kv => !kv.Key.StartsWith("optim", StringComparison.Ordinal)).ToDictionary());
        InvalidDataException refused = Assert.Throws<InvalidDataException>(() => ModelFile.Load(stray));
        Assert.Contains("is not part of an nn.RNN + nn.Linear model", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileCheckpointsAreRejectedWithAMessageSayingWhy()
    {
        var model = new RnnModel(Shape, seed: 1);
        var adam = new Adam(model.Parameters.Length, 1e-3f);
        string good = Path.Combine(_dir, "good.safetensors");
        TrainingCheckpoint.Save(good, model, adam);
        (IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string> metadata) = SafeTensorsFile.Read(good);

        Expect(Rewrite(tensors, metadata, drop: "optim.v.out.bias"), "optimizer tensor 'optim.v.out.bias' is missing");
        Expect(Rewrite(tensors, metadata, replace: ("optim.m.rnn.weight_hh_l0", SafeTensor.FromFloats([3, 3], new float[9]))),
            "optimizer tensor 'optim.m.rnn.weight_hh_l0' is F32 [3, 3], but the model needs F32 [24, 24]");
        Expect(Rewrite(tensors, metadata, replace: ("optim.m.out.bias", SafeTensor.FromFloats([7], [1, 2, float.NaN, 4, 5, 6, 7]))),
            "'optim.m.out.bias' holds a non-finite value");
        Expect(Rewrite(tensors, metadata, replace: ("optim.sum.out.bias", SafeTensor.FromFloats([7], new float[7]))),
            "tensor 'optim.sum.out.bias' is not state of a adam optimizer");
        Expect(Rewrite(tensors, metadata, meta: ("optimizer", "lbfgs")), "unknown optimizer 'lbfgs' (expected sgd, adagrad or adam)");
        Expect(Rewrite(tensors, metadata, meta: ("optimizer.steps", "-3")), "metadata 'optimizer.steps' must be a step count");
        Expect(Rewrite(tensors, metadata, meta: ("optim.beta1", "1.5")), "adam hyperparameter out of range");
        Expect(Rewrite(tensors, metadata, meta: ("optimizer.learning_rate", "NaN")), "metadata 'optimizer.learning_rate' must be a finite number");
        Expect(Rewrite(tensors, metadata, replace: ("rnn.weight_hh_l1", SafeTensor.FromFloats([24, 3], new float[72]))),
            "tensor 'rnn.weight_hh_l1' has shape [24, 3]");
    }

    [Fact]
    public void SavingRefusesReservedKeysAndNonFiniteState()
    {
        var model = new RnnModel(Shape, seed: 1);
        var adagrad = new Adagrad(model.Parameters.Length, 0.1f);
        string path = Path.Combine(_dir, "x.safetensors");
        Assert.Throws<ArgumentException>(() => TrainingCheckpoint.Save(path, model, adagrad, new Dictionary<string, string> { ["optimizer"] = "x" }));
        adagrad.State()[0].Values[3] = float.PositiveInfinity;
        Assert.Contains("non-finite", Assert.Throws<InvalidOperationException>(() => TrainingCheckpoint.Save(path, model, adagrad)).Message);
        Assert.False(File.Exists(path));
        Assert.Throws<ArgumentException>(() => TrainingCheckpoint.Save(path, model, new Sgd(3, 0.1f)));
    }

    private static IOptimizer Create(string name, int length) => name switch
    {
        "sgd" => new Sgd(length, 0.05f),
        "momentum" => new Sgd(length, 0.05f, momentum: 0.9f),
        "adagrad" => new Adagrad(length, 0.05f),
        _ => new Adam(length, 0.01f, 0.8f, 0.99f, 1e-7f),
    };

    private static void Train(RnnModel model, IOptimizer optimizer, WorkerPool? pool, int from, int to)
    {
        using var engine = new RnnEngine(model, Steps, Batch, pool);
        var trainer = new Trainer(engine, optimizer, clipNorm: 2f);
        for (int step = from; step < to; step++)
        {
            SequenceData data = SequenceData.CreateRandom(Shape, Steps, Batch, LossKind.CrossEntropy, seed: step, raggedLengths: true, initialState: step % 2 == 1);
            Assert.True(trainer.Step(data.Inputs, Steps, Batch, data.ClassTargets, data.InitialState, data.Lengths).Applied);
        }
    }

    private string Rewrite(
        IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string> metadata,
        string? drop = null, (string Name, SafeTensor Tensor)? replace = null, (string Key, string Value)? meta = null)
    {
        var t = tensors.Where(kv => kv.Key != drop).ToDictionary(kv => kv.Key, kv => kv.Value);
        if (replace is { } r)
        {
            t[r.Name] = r.Tensor;
        }

        var m = metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        if (meta is { } kv2)
        {
            m[kv2.Key] = kv2.Value;
        }

        string path = Path.Combine(_dir, $"bad-{Guid.NewGuid():N}.safetensors");
        SafeTensorsFile.Write(path, t, m);
        return path;
    }

    private static void Expect(string path, string message)
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(message, e.Message);
    }
}
