using System.Globalization;
using RnnKernels.Optimizers;

namespace RnnKernels.IO;

/// <summary>
/// The full training state as one safetensors file: the model's tensors under their PyTorch names (so the file is
/// also a model file PyTorch can read), the optimizer's state buffers as <c>optim.&lt;buffer&gt;.&lt;tensor name&gt;</c>
/// (for example <c>optim.m.rnn.weight_hh_l0</c>), and in metadata the optimizer's kind, step count, learning rate and
/// hyperparameters, plus any keys the caller adds (a text position, a random state). Loading it into fresh objects
/// and training on gives bitwise the same parameters as never having stopped.
/// </summary>
public sealed class TrainingCheckpoint
{
    /// <summary>Metadata key of the optimizer's kind ("sgd", "adagrad", "adam").</summary>
    public const string OptimizerKey = "optimizer";

    /// <summary>Metadata key of the optimizer's step count.</summary>
    public const string StepsKey = "optimizer.steps";

    /// <summary>Metadata key of the learning rate.</summary>
    public const string LearningRateKey = "optimizer.learning_rate";

    /// <summary>Prefix of the optimizer's tensors and hyperparameter keys.</summary>
    public const string OptimizerPrefix = "optim.";

    private TrainingCheckpoint(RnnModel model, IOptimizer optimizer, IReadOnlyDictionary<string, string> metadata) =>
        (Model, Optimizer, Metadata) = (model, optimizer, metadata);

    /// <summary>The model as saved.</summary>
    public RnnModel Model { get; }

    /// <summary>An optimizer for <see cref="Model"/> with the saved state, steps and hyperparameters.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>Every metadata key of the file, the caller's own included.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Writes the checkpoint atomically (the previous file stays whole until the new one is complete).</summary>
    /// <param name="path">Target file.</param>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">Its optimizer.</param>
    /// <param name="metadata">Extra string metadata, or null. Keys starting with "optim" are reserved.</param>
    /// <exception cref="ArgumentException">The optimizer does not fit the model, or metadata uses a reserved key.</exception>
    /// <exception cref="InvalidOperationException">The model or the optimizer state holds a non-finite value (nothing is written).</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Save(string path, RnnModel model, IOptimizer optimizer, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (optimizer.Length != model.Parameters.Length)
        {
            throw new ArgumentException($"optimizer was built for {optimizer.Length} parameters, the model has {model.Parameters.Length}.", nameof(optimizer));
        }

        string? reserved = metadata?.Keys.FirstOrDefault(k => k.StartsWith("optim", StringComparison.Ordinal));
        if (reserved is not null)
        {
            throw new ArgumentException($"metadata key '{reserved}' is reserved for the optimizer's own keys.", nameof(metadata));
        }

        var tensors = ModelFile.Tensors(model, path).ToList();
        foreach ((string buffer, float[] values) in optimizer.State())
        {
            if (values.Any(v => !float.IsFinite(v)))
            {
                throw new InvalidOperationException($"Refusing to save {path}: the optimizer's '{buffer}' state holds a non-finite value.");
            }

            foreach (ParameterTensor t in model.Layout.Tensors)
            {
                tensors.Add(new(TensorName(buffer, t), SafeTensor.FromFloats(t.Shape, values.AsSpan(t.Offset, t.Length))));
            }
        }

        Dictionary<string, string> all = ModelFile.Metadata(model, metadata);
        all[OptimizerKey] = optimizer.Kind;
        all[StepsKey] = optimizer.Steps.ToString(CultureInfo.InvariantCulture);
        all[LearningRateKey] = Format(optimizer.LearningRate);
        foreach ((string name, float value) in optimizer.Hyperparameters())
        {
            all[OptimizerPrefix + name] = Format(value);
        }

        SafeTensorsFile.Write(path, tensors, all);
    }

    /// <summary>Reads a checkpoint into a new model and optimizer.</summary>
    /// <param name="path">File to read.</param>
    /// <returns>The model, its optimizer with the saved state, and the metadata.</returns>
    /// <exception cref="InvalidDataException">The file is not a consistent checkpoint: not safetensors, not a model, an
    /// unknown optimizer, a missing or misshapen optimizer tensor, a bad step count or hyperparameter. The message names
    /// the file and what was wrong.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static TrainingCheckpoint Load(string path)
    {
        (IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string> metadata) = SafeTensorsFile.Read(path);
        RnnModel model = ModelFile.FromTensors(path, tensors, metadata, OptimizerPrefix);
        IOptimizer optimizer = CreateOptimizer(path, metadata, model.Parameters.Length);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string buffer, float[] values) in optimizer.State())
        {
            foreach (ParameterTensor t in model.Layout.Tensors)
            {
                string name = TensorName(buffer, t);
                expected.Add(name);
                if (!tensors.TryGetValue(name, out SafeTensor? tensor))
                {
                    throw new InvalidDataException($"{path}: optimizer tensor '{name}' is missing (a {optimizer.Kind} checkpoint holds '{buffer}' for every model tensor).");
                }

                if (tensor.DType != SafeTensorsDType.F32 || !tensor.Shape.SequenceEqual(t.Shape))
                {
                    throw new InvalidDataException(
                        $"{path}: optimizer tensor '{name}' is {tensor.DType} [{string.Join(", ", tensor.Shape)}], but the model needs F32 [{string.Join(", ", t.Shape)}].");
                }

                float[] saved = tensor.ToFloats();
                if (saved.Any(v => !float.IsFinite(v)))
                {
                    throw new InvalidDataException($"{path}: optimizer tensor '{name}' holds a non-finite value.");
                }

                saved.CopyTo(values, t.Offset);
            }
        }

        string? stray = tensors.Keys.FirstOrDefault(n => n.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && !expected.Contains(n));
        if (stray is not null)
        {
            throw new InvalidDataException($"{path}: tensor '{stray}' is not state of a {optimizer.Kind} optimizer.");
        }

        if (!metadata.TryGetValue(StepsKey, out string? steps)
            || !long.TryParse(steps, NumberStyles.None, CultureInfo.InvariantCulture, out long stepCount))
        {
            throw new InvalidDataException($"{path}: metadata '{StepsKey}' must be a step count (0 or more), but it is '{steps ?? "missing"}'.");
        }

        optimizer.RestoreSteps(stepCount);
        return new TrainingCheckpoint(model, optimizer, metadata);
    }

    private static string TensorName(string buffer, ParameterTensor tensor) => $"{OptimizerPrefix}{buffer}.{tensor.Name}";

    private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static IOptimizer CreateOptimizer(string path, IReadOnlyDictionary<string, string> metadata, int length)
    {
        float Read(string key)
        {
            if (!metadata.TryGetValue(key, out string? text)
                || !float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            {
                throw new InvalidDataException($"{path}: metadata '{key}' must be a finite number, but it is '{text ?? "missing"}'.");
            }

            return value;
        }

        string kind = metadata.TryGetValue(OptimizerKey, out string? k)
            ? k
            : throw new InvalidDataException($"{path}: metadata '{OptimizerKey}' is missing: this is a model file, not a training checkpoint.");
        try
        {
            float lr = Read(LearningRateKey);
            return kind switch
            {
                "sgd" => new Sgd(length, lr, Read(OptimizerPrefix + "momentum")),
                "adagrad" => new Adagrad(length, lr, Read(OptimizerPrefix + "epsilon")),
                "adam" => new Adam(length, lr, Read(OptimizerPrefix + "beta1"), Read(OptimizerPrefix + "beta2"), Read(OptimizerPrefix + "epsilon")),
                _ => throw new InvalidDataException($"{path}: unknown optimizer '{kind}' (expected sgd, adagrad or adam)."),
            };
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"{path}: {kind} hyperparameter out of range: {e.Message}", e);
        }
    }
}
