using System.Globalization;
using System.Security.Cryptography;
using RnnKernels.IO;
using RnnKernels.Optimizers;
using RnnKernels.Cli.Text;

namespace RnnKernels.Cli;

/// <summary>
/// Where a <c>rnnk train</c> run stands between two steps, beyond the model and optimizer: the steps done, the
/// streams' position in the text, the state carried into the next chunk, the best held-out loss so far, and what the
/// run was made with (the text's fingerprint and the options that shape the trajectory). Saved as the metadata of a
/// <see cref="TrainingCheckpoint"/> (keys <c>train.*</c>), so a resumed run continues exactly where it stopped.
/// </summary>
internal sealed class TrainRunState
{
    private const string Prefix = "train.";

    public int Step { get; set; }

    public int Position { get; set; }

    public float[] State { get; init; } = [];

    public float[] CellState { get; init; } = [];

    public double BestValLoss { get; set; } = double.NaN;

    /// <summary>True when <paramref name="metadata"/> is a checkpoint's (not a plain model file's).</summary>
    public static bool IsCheckpoint(IReadOnlyDictionary<string, string> metadata) => metadata.ContainsKey(Prefix + "step");

    /// <summary>SHA-256 of the text's UTF-8 bytes, in hex.</summary>
    public static string Fingerprint(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Writes the checkpoint atomically.</summary>
    public void Save(string path, RnnModel model, IOptimizer optimizer, CharVocabulary vocabulary, TrainOptions options, string text)
    {
        var metadata = new Dictionary<string, string>
        {
            [CharVocabulary.MetadataKey] = vocabulary.Serialize(),
            [Prefix + "step"] = Format(Step),
            [Prefix + "position"] = Format(Position),
            [Prefix + "state"] = Floats(State),
            [Prefix + "cell_state"] = Floats(CellState),
            [Prefix + "best_val_loss"] = BestValLoss.ToString("R", CultureInfo.InvariantCulture),
            [Prefix + "text_sha256"] = Fingerprint(text),
            [Prefix + "text_chars"] = Format(text.Length),
        };
        foreach ((string name, string value) in Trajectory(options))
        {
            metadata[Prefix + name] = value;
        }

        TrainingCheckpoint.Save(path, model, optimizer, metadata);
    }

    /// <summary>
    /// Reads a checkpoint made by <see cref="Save"/> and checks it against this run: the same text, and every
    /// trajectory option given on the command line equal to the checkpoint's. Returns the options as the checkpoint
    /// made them.
    /// </summary>
    public static (TrainingCheckpoint Checkpoint, TrainRunState State, TrainOptions Options) Load(string path, TrainOptions given, string text)
    {
        TrainingCheckpoint checkpoint = TrainingCheckpoint.Load(path);
        IReadOnlyDictionary<string, string> m = checkpoint.Metadata;
        string Get(string key) => m.TryGetValue(Prefix + key, out string? value)
            ? value
            : throw new InvalidDataException($"{path}: metadata '{Prefix}{key}' is missing; it is not a checkpoint written by rnnk train");

        string fingerprint = Fingerprint(text);
        if (Get("text_sha256") != fingerprint)
        {
            throw new UsageException(
                $"{path} was made on another text ({Get("text_chars")} characters, SHA-256 {Get("text_sha256")[..12]}...); this one has {text.Length} characters, SHA-256 {fingerprint[..12]}...");
        }

        RnnShape shape = checkpoint.Model.Shape;
        TrainOptions options = given with
        {
            Cell = shape.Cell,
            Nonlinearity = shape.Nonlinearity,
            Hidden = shape.HiddenSize,
            Layers = shape.Layers,
            Steps = Int(path, "seq", Get("seq"), 1),
            Batch = Int(path, "batch", Get("batch"), 1),
            LearningRate = Single(path, "lr", Get("lr")),
            Optimizer = checkpoint.Optimizer.Kind,
            Clip = Single(path, "clip", Get("clip")),
            Seed = Int(path, "seed", Get("seed"), 0),
            ValFraction = Single(path, "val_fraction", Get("val_fraction")),
            LearningRateDecay = Single(path, "lr_decay", Get("lr_decay")),
            LearningRateDecayEvery = Int(path, "lr_decay_every", Get("lr_decay_every"), 0),
            Dropout = Single(path, "dropout", Get("dropout")),
        };
        given.EnsureSameAs(options, TrainOptions.FromCheckpoint, path);
        var state = new TrainRunState
        {
            Step = Int(path, "step", Get("step"), 0),
            Position = Int(path, "position", Get("position"), 0),
            State = ParseFloats(path, "state", Get("state"), shape.StateSize(options.Batch)),
            CellState = ParseFloats(path, "cell_state", Get("cell_state"), shape.HasCellState ? shape.StateSize(options.Batch) : 0),
            BestValLoss = Double(path, "best_val_loss", Get("best_val_loss")),
        };
        return (checkpoint, state, options);
    }

    /// <summary>The path of the best checkpoint kept beside <paramref name="path"/>: "run.safetensors" gives "run.best.safetensors".</summary>
    public static string BestPath(string path)
    {
        string extension = Path.GetExtension(path);
        return Path.ChangeExtension(path, null) + ".best" + (extension.Length > 0 ? extension : "");
    }

    private static IEnumerable<(string Name, string Value)> Trajectory(TrainOptions o) =>
    [
        ("seq", Format(o.Steps)), ("batch", Format(o.Batch)), ("lr", Format(o.LearningRate)), ("clip", Format(o.Clip)),
        ("seed", Format(o.Seed)), ("val_fraction", Format(o.ValFraction)),
        ("lr_decay", Format(o.LearningRateDecay)), ("lr_decay_every", Format(o.LearningRateDecayEvery)), ("dropout", Format(o.Dropout)),
    ];

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Floats(float[] values)
    {
        byte[] bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return Convert.ToBase64String(bytes);
    }

    private static float[] ParseFloats(string path, string key, string text, int expected)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{path}: metadata '{Prefix}{key}' is not base64");
        }

        if (bytes.Length != expected * sizeof(float))
        {
            throw new InvalidDataException($"{path}: metadata '{Prefix}{key}' holds {bytes.Length / sizeof(float)} floats; the model and batch need {expected}");
        }

        float[] values = new float[expected];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    private static int Int(string path, string key, string text, int min) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min
            ? value
            : throw new InvalidDataException($"{path}: metadata '{Prefix}{key}' must be an integer of at least {min}, but it is '{text}'");

    private static float Single(string path, string key, string text) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value)
            ? value
            : throw new InvalidDataException($"{path}: metadata '{Prefix}{key}' must be a finite number, but it is '{text}'");

    /// <summary>A double, NaN allowed (a best loss not measured yet).</summary>
    private static double Double(string path, string key, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new InvalidDataException($"{path}: metadata '{Prefix}{key}' must be a number, but it is '{text}'");
}
