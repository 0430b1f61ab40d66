namespace RnnKernels.Cli;

/// <summary>The options of <c>rnnk train</c>, validated.</summary>
internal sealed record TrainOptions(
    string? TextPath, CellKind Cell, int Hidden, int Layers, int Steps, int Batch, int TrainingSteps, float LearningRate, string Optimizer,
    float Clip, int Seed, int Threads, string? SavePath, string? ResumePath, int SampleEvery)
{
    private static readonly IReadOnlyDictionary<string, string> Optimizers =
        new Dictionary<string, string> { ["adam"] = "adam", ["adagrad"] = "adagrad", ["sgd"] = "sgd" };

    // Learning rates that train the default corpus well with each optimizer.
    private static readonly IReadOnlyDictionary<string, float> DefaultRates =
        new Dictionary<string, float> { ["adam"] = 3e-3f, ["adagrad"] = 0.1f, ["sgd"] = 0.02f };

    public static TrainOptions Parse(string[] args)
    {
        var o = new CliArguments(args, new HashSet<string>());
        string? text = o.String("text");
        bool hiddenGiven = o.String("hidden") is not null, layersGiven = o.String("layers") is not null, cellGiven = o.String("cell") is not null;
        CellKind cell = o.Choice("cell", CellKind.Rnn, CellNames.All);
        int hidden = o.Int("hidden", 256, 1, 4096);
        int layers = o.Int("layers", 1, 1, 8);
        int seq = o.Int("seq", 64, 1, 10_000);
        int batch = o.Int("batch", 32, 1, 1024);
        int steps = o.Int("steps", 1000, 1, 100_000_000);
        string optimizer = o.Choice("optimizer", "adam", Optimizers);
        float lr = o.Float("lr", DefaultRates[optimizer], 0f, 10f, minExclusive: true);
        float clip = o.Float("clip", 5f, 0f, 1e6f);
        int seed = o.Int("seed", 1, 0, int.MaxValue);
        int threads = o.Int("threads", Environment.ProcessorCount, 1, 256);
        string? save = o.String("save");
        string? resume = o.String("resume");
        int sampleEvery = o.Int("sample-every", Math.Max(1, steps / 4), 0, int.MaxValue);
        o.EnsureAllUsed("train");
        if (resume is not null && (hiddenGiven || layersGiven || cellGiven))
        {
            throw new UsageException("--cell, --hidden and --layers come from the model when --resume is given; leave them out");
        }

        if (save is not null && Directory.Exists(save))
        {
            throw new UsageException($"--save {save} is a directory; give a file path");
        }

        return new TrainOptions(text, cell, hidden, layers, seq, batch, steps, lr, optimizer, clip, seed, threads, save, resume, sampleEvery);
    }
}
