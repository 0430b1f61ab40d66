using System.Globalization;
using RnnKernels.IO;

namespace RnnKernels.Cli;

/// <summary>The options of <c>rnnk train</c>, validated.</summary>
internal sealed record TrainOptions
{
    private static readonly IReadOnlyDictionary<string, string> Optimizers =
        new Dictionary<string, string> { ["adam"] = "adam", ["adagrad"] = "adagrad", ["sgd"] = "sgd" };

    // Learning rates that train the default corpus well with each optimizer, on the gradient of the mean loss.
    private static readonly IReadOnlyDictionary<string, float> DefaultRates =
        new Dictionary<string, float> { ["adam"] = 3e-3f, ["adagrad"] = 0.01f, ["sgd"] = 0.1f };

    /// <summary>Options that shape the trajectory of a run: a checkpoint records them and a resumed run takes them from it.</summary>
    public static readonly IReadOnlyList<string> FromCheckpoint =
        ["cell", "nonlinearity", "hidden", "layers", "seq", "batch", "lr", "optimizer", "clip", "seed", "val-fraction", "lr-decay", "lr-decay-every", "dropout"];

    public string? TextPath { get; init; }

    public CellKind Cell { get; init; }

    public Nonlinearity Nonlinearity { get; init; }

    public int Hidden { get; init; }

    public int Layers { get; init; }

    public int Steps { get; init; }

    public int Batch { get; init; }

    public int TrainingSteps { get; init; }

    public float LearningRate { get; init; }

    public string Optimizer { get; init; } = "adam";

    public float Clip { get; init; }

    public int Seed { get; init; }

    public int Threads { get; init; }

    public string? SavePath { get; init; }

    public string? ResumePath { get; init; }

    public int SampleEvery { get; init; }

    public float ValFraction { get; init; }

    public int EvalEvery { get; init; }

    public string? CheckpointPath { get; init; }

    public int CheckpointEvery { get; init; }

    public string? MetricsPath { get; init; }

    public string? PlotPath { get; init; }

    public float LearningRateDecay { get; init; }

    public int LearningRateDecayEvery { get; init; }

    public float Dropout { get; init; }

    /// <summary>The trajectory options the user gave on the command line (a resume accepts them only with the checkpoint's values).</summary>
    public IReadOnlyList<string> Given { get; init; } = [];

    /// <summary>The learning rate after <paramref name="step"/> steps: decayed by <see cref="LearningRateDecay"/> every <see cref="LearningRateDecayEvery"/> steps.</summary>
    public float LearningRateAt(int step) =>
        LearningRateDecayEvery == 0 ? LearningRate : LearningRate * MathF.Pow(LearningRateDecay, step / LearningRateDecayEvery);

    /// <summary>The run's settings in one line, for the metrics file and the plot's title.</summary>
    public string Settings(CellKind cell, int hidden, int layers)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        string decay = LearningRateDecayEvery > 0 ? string.Create(c, $" lr-decay={LearningRateDecay}/{LearningRateDecayEvery}") : "";
        decay += Dropout > 0 ? string.Create(c, $" dropout={Dropout}") : "";
        return string.Create(c,
            $"cell={ModelFile.CellName(cell)} hidden={hidden} layers={layers} seq={Steps} batch={Batch} optimizer={Optimizer} lr={LearningRate} clip={Clip}{decay} val-fraction={ValFraction}");
    }

    /// <summary>The value of trajectory option <paramref name="name"/> (one of <see cref="FromCheckpoint"/>) as text.</summary>
    public string Value(string name)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        return name switch
        {
            "cell" => ModelFile.CellName(Cell),
            "nonlinearity" => Nonlinearity == Nonlinearity.Tanh ? "tanh" : "relu",
            "hidden" => Hidden.ToString(c),
            "layers" => Layers.ToString(c),
            "seq" => Steps.ToString(c),
            "batch" => Batch.ToString(c),
            "lr" => LearningRate.ToString(c),
            "optimizer" => Optimizer,
            "clip" => Clip.ToString(c),
            "seed" => Seed.ToString(c),
            "val-fraction" => ValFraction.ToString(c),
            "lr-decay" => LearningRateDecay.ToString(c),
            "lr-decay-every" => LearningRateDecayEvery.ToString(c),
            "dropout" => Dropout.ToString(c),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a trajectory option"),
        };
    }

    /// <summary>
    /// Refuses a resumed run whose command line gives one of <paramref name="names"/> with another value than
    /// <paramref name="saved"/> (what the file holds); the same value given again is accepted, so the command that
    /// started a run, with --resume added, continues it.
    /// </summary>
    public void EnsureSameAs(TrainOptions saved, IEnumerable<string> names, string path)
    {
        string[] differ = [.. names.Where(Given.Contains).Where(name => Value(name) != saved.Value(name))
            .Select(name => $"--{name} {Value(name)} (it holds {saved.Value(name)})")];
        if (differ.Length > 0)
        {
            throw new UsageException(
                $"{path} continues with its own settings, and the command line asks for others: {string.Join(", ", differ)}; leave them out or give the values it holds");
        }
    }

    public static TrainOptions Parse(string[] args)
    {
        var o = new CliArguments(args, new HashSet<string>());
        string[] given = [.. FromCheckpoint.Where(name => o.String(name) is not null)];
        string? text = o.String("text");
        CellKind cell = o.Choice("cell", CellKind.Rnn, CellNames.All);
        Nonlinearity nonlinearity = o.Choice("nonlinearity", Nonlinearity.Tanh, NonlinearityNames.All);
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
        string? save = o.OutputFile("save");
        string? resume = o.String("resume");
        int sampleEvery = o.Int("sample-every", 500, 0, int.MaxValue);
        float valFraction = o.Float("val-fraction", 0.1f, 0f, 0.5f);
        int evalEvery = o.Int("eval-every", 100, 0, int.MaxValue);
        string? checkpoint = o.OutputFile("checkpoint");
        int checkpointEvery = o.Int("checkpoint-every", 1000, 1, int.MaxValue);
        string? metrics = o.OutputFile("metrics");
        string? plot = o.OutputFile("plot");
        float decay = o.Float("lr-decay", 1f, 0f, 1f, minExclusive: true);
        int decayEvery = o.Int("lr-decay-every", 0, 0, int.MaxValue);
        float dropout = o.Float("dropout", 0f, 0f, 0.95f);
        o.EnsureAllUsed("train");
        if (dropout > 0 && layers < 2 && resume is null)
        {
            throw new UsageException("--dropout applies between stacked layers (as PyTorch's nn.RNN dropout): it needs --layers 2 or more");
        }

        if (decay != 1f && decayEvery == 0)
        {
            throw new UsageException("--lr-decay needs --lr-decay-every N (steps between decays)");
        }

        (string Name, string? File)[] outputs = [("save", save), ("checkpoint", checkpoint), ("metrics", metrics), ("plot", plot)];
        foreach (IGrouping<string, (string Name, string? File)> same in outputs.Where(f => f.File is not null).GroupBy(f => Path.GetFullPath(f.File!)))
        {
            if (same.Count() > 1)
            {
                throw new UsageException($"--{string.Join(" and --", same.Select(f => f.Name))} name the same file ({same.First().File}); each writes its own");
            }
        }

        if (nonlinearity != Nonlinearity.Tanh && cell != CellKind.Rnn)
        {
            throw new UsageException($"--nonlinearity applies to --cell rnn; {ModelFile.CellName(cell)} has its own gate functions");
        }

        return new TrainOptions
        {
            TextPath = text, Cell = cell, Nonlinearity = nonlinearity, Hidden = hidden, Layers = layers, Steps = seq, Batch = batch,
            TrainingSteps = steps, LearningRate = lr, Optimizer = optimizer, Clip = clip, Seed = seed, Threads = threads,
            SavePath = save, ResumePath = resume, SampleEvery = sampleEvery, ValFraction = valFraction, EvalEvery = evalEvery,
            CheckpointPath = checkpoint, CheckpointEvery = checkpointEvery, MetricsPath = metrics, PlotPath = plot,
            LearningRateDecay = decay, LearningRateDecayEvery = decayEvery == 0 || decay == 1f ? 0 : decayEvery, Dropout = dropout, Given = given,
        };
    }
}
