namespace RnnKernels.IO;

/// <summary>
/// A model as a safetensors file holding exactly the state_dict of a PyTorch module with children <c>rnn</c>
/// (nn.RNN, nn.LSTM or nn.GRU) and <c>out</c> (nn.Linear), or, for a network without an output layer, of the
/// nn.RNN / nn.LSTM / nn.GRU itself (<c>weight_ih_l0</c>, ...), plus <c>__metadata__</c> {"cell": "rnn"|"lstm"|"gru",
/// "nonlinearity": "tanh"|"relu" (rnn only), ...}. A file whose shapes say one cell and metadata another is rejected.
/// </summary>
public static class ModelFile
{
    /// <summary>Metadata key naming the recurrent activation (Elman cells).</summary>
    public const string NonlinearityKey = "nonlinearity";

    /// <summary>Metadata key naming the cell: "rnn" (also when absent), "lstm" or "gru".</summary>
    public const string CellKey = "cell";

    private static readonly Dictionary<string, CellKind> CellNames = new(StringComparer.Ordinal)
    {
        ["rnn"] = CellKind.Rnn,
        ["lstm"] = CellKind.Lstm,
        ["gru"] = CellKind.Gru,
    };

    /// <summary>The name a file gives a cell.</summary>
    /// <param name="cell">The cell.</param>
    /// <returns>"rnn", "lstm" or "gru".</returns>
    public static string CellName(CellKind cell) => cell switch
    {
        CellKind.Lstm => "lstm",
        CellKind.Gru => "gru",
        _ => "rnn",
    };

    /// <summary>Saves the model (atomically) with optional extra metadata such as a vocabulary.</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">Target file.</param>
    /// <param name="metadata">Extra string metadata, or null.</param>
    /// <exception cref="InvalidOperationException">The model holds a non-finite parameter (nothing is written).</exception>
    /// <exception cref="IOException">The file could not be written (the previous file, if any, is left as it was).</exception>
    public static void Save(RnnModel model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        SafeTensorsFile.Write(path, Tensors(model, path), Metadata(model, metadata));
    }

    /// <summary>The model's tensors under their PyTorch names, checked finite.</summary>
    internal static IEnumerable<KeyValuePair<string, SafeTensor>> Tensors(RnnModel model, string path)
    {
        EnsureFinite(model, path, "save");
        return model.Layout.Tensors.Select(t => new KeyValuePair<string, SafeTensor>(t.Name, SafeTensor.FromFloats(t.Shape, model.View(t))));
    }

    /// <summary>Refuses to <paramref name="verb"/> <paramref name="path"/> from a model holding a NaN or infinity.</summary>
    internal static void EnsureFinite(RnnModel model, string path, string verb)
    {
        foreach (float value in model.Parameters)
        {
            if (!float.IsFinite(value))
            {
                throw new InvalidOperationException($"Refusing to {verb} {path}: the model holds a non-finite parameter.");
            }
        }
    }

    /// <summary>The caller's metadata plus the model's own keys.</summary>
    internal static Dictionary<string, string> Metadata(RnnModel model, IReadOnlyDictionary<string, string>? metadata)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> item in metadata ?? new Dictionary<string, string>())
        {
            all[item.Key] = item.Value;
        }

        all[CellKey] = CellName(model.Shape.Cell);
        if (model.Shape.Cell == CellKind.Rnn)
        {
            all[NonlinearityKey] = model.Shape.Nonlinearity == Nonlinearity.Tanh ? "tanh" : "relu";
        }
        else
        {
            all.Remove(NonlinearityKey);
        }

        return all;
    }

    /// <summary>
    /// Loads a model, inferring layers, directions and sizes from the tensor names and shapes. A training checkpoint
    /// (<see cref="TrainingCheckpoint"/>) is a model file too: its model is loaded and its optimizer state left aside.
    /// </summary>
    /// <param name="path">File to read.</param>
    /// <returns>The model and the file's metadata.</returns>
    /// <exception cref="InvalidDataException">The file is not a consistent model; the message names the file and the tensor.</exception>
    public static (RnnModel Model, IReadOnlyDictionary<string, string> Metadata) Load(string path)
    {
        (IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string> metadata) = SafeTensorsFile.Read(path);
        string? optimizerState = metadata.ContainsKey(TrainingCheckpoint.OptimizerKey) ? TrainingCheckpoint.OptimizerPrefix : null;
        return (FromTensors(path, tensors, metadata, optimizerState), metadata);
    }

    /// <summary>
    /// Builds the model from a file's tensors; a tensor that is not the model's is an error unless its name starts
    /// with <paramref name="otherPrefix"/> (a checkpoint's optimizer state).
    /// </summary>
    internal static RnnModel FromTensors(
        string path, IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string> metadata, string? otherPrefix)
    {
        RnnShape shape = InferShape(path, tensors, metadata);
        var layout = new ParameterLayout(shape);
        var parameters = new float[layout.TotalLength];
        foreach (ParameterTensor expected in layout.Tensors)
        {
            if (!tensors.TryGetValue(expected.Name, out SafeTensor? tensor))
            {
                throw new InvalidDataException($"{path}: tensor '{expected.Name}' is missing.");
            }

            if (tensor.DType != SafeTensorsDType.F32 && tensor.DType != SafeTensorsDType.F64)
            {
                throw new InvalidDataException($"{path}: tensor '{expected.Name}' is {tensor.DType}; weights must be F32 or F64.");
            }

            if (!tensor.Shape.SequenceEqual(expected.Shape))
            {
                throw new InvalidDataException(
                    $"{path}: tensor '{expected.Name}' has shape [{string.Join(", ", tensor.Shape)}], but the other tensors imply [{string.Join(", ", expected.Shape)}].");
            }

            float[] values = tensor.ToFloats();
            if (values.Any(v => !float.IsFinite(v)))
            {
                throw new InvalidDataException($"{path}: tensor '{expected.Name}' holds a non-finite value.");
            }

            values.CopyTo(parameters, expected.Offset);
        }

        string? extra = tensors.Keys.FirstOrDefault(name =>
            layout.Find(name) is null && (otherPrefix is null || !name.StartsWith(otherPrefix, StringComparison.Ordinal)));
        if (extra is not null)
        {
            string module = shape.Cell == CellKind.Rnn ? "nn.RNN" : shape.Cell == CellKind.Lstm ? "nn.LSTM" : "nn.GRU";
            throw new InvalidDataException($"{path}: tensor '{extra}' is not part of an {module}{(shape.HasOutputLayer ? " + nn.Linear model" : "")} of this shape.");
        }

        return new RnnModel(shape, parameters);
    }

    private static RnnShape InferShape(string path, IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        SafeTensor Require(string name) =>
            tensors.TryGetValue(name, out SafeTensor? t) ? t : throw new InvalidDataException($"{path}: tensor '{name}' is missing.");

        long Dim(string name, int index)
        {
            SafeTensor t = Require(name);
            if (t.Shape.Length != 2)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' must be 2-dimensional, but has shape [{string.Join(", ", t.Shape)}].");
            }

            if (t.Shape[index] < 1)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' has an empty dimension.");
            }

            return t.Shape[index];
        }

        // A module with children rnn and out names its tensors rnn.* and out.*; nn.RNN/LSTM/GRU alone has no prefix.
        string prefix = tensors.ContainsKey($"{ParameterLayout.RecurrentPrefix}weight_ih_l0") ? ParameterLayout.RecurrentPrefix
            : tensors.ContainsKey("weight_ih_l0") ? ""
            : throw new InvalidDataException(
                $"{path}: tensor 'rnn.weight_ih_l0' is missing (or 'weight_ih_l0' for the recurrent layers alone, an nn.RNN, nn.LSTM or nn.GRU state_dict).");
        int layers = 0;
        while (tensors.ContainsKey($"{prefix}weight_ih_l{layers}"))
        {
            layers++;
        }

        bool bidirectional = tensors.ContainsKey($"{prefix}weight_ih_l0_reverse");
        CellKind cell = CellKind.Rnn; // A file without "cell" is an nn.RNN's, as before gated cells existed.
        bool cellNamed = metadata.TryGetValue(CellKey, out string? cellName);
        if (cellNamed)
        {
            cell = CellNames.TryGetValue(cellName!, out CellKind named)
                ? named
                : throw new InvalidDataException($"{path}: unknown cell '{cellName}' in metadata (expected rnn, lstm or gru).");
        }

        Nonlinearity nonlinearity = Nonlinearity.Tanh; // PyTorch's default when a file does not say.
        if (metadata.TryGetValue(NonlinearityKey, out string? name))
        {
            nonlinearity = name switch
            {
                "tanh" => Nonlinearity.Tanh,
                "relu" => Nonlinearity.Relu,
                _ => throw new InvalidDataException($"{path}: unknown nonlinearity '{name}' in metadata (expected tanh or relu)."),
            };
            if (cell != CellKind.Rnn && nonlinearity != Nonlinearity.Tanh)
            {
                throw new InvalidDataException($"{path}: metadata names nonlinearity '{name}' for cell '{cellName}', which has fixed activations.");
            }
        }

        // weight_hh_l0 is [G*H, H]: its shape says the cell, whatever the metadata says; the two must agree.
        string recurrent = $"{prefix}weight_hh_l0";
        long gateRows = Dim(recurrent, 0);
        long hidden = Dim(recurrent, 1);
        long gates = gateRows / hidden;
        if (gateRows % hidden != 0 || gates is not (1 or 3 or 4))
        {
            throw new InvalidDataException(
                $"{path}: tensor '{recurrent}' has shape [{gateRows}, {hidden}]; a recurrent weight is [G*H, H] with G = 1 (rnn), 4 (lstm) or 3 (gru).");
        }

        if (gates != RnnShape.Gates(cell))
        {
            string byShape = gates == 4 ? "lstm" : gates == 3 ? "gru" : "rnn";
            string byMetadata = cellNamed ? $"metadata names cell '{cellName}'" : "metadata names no cell, which means 'rnn'";
            throw new InvalidDataException(
                $"{path}: tensor '{recurrent}' is [{gateRows}, {hidden}], shaped for cell '{byShape}' ({gates} gate blocks of H = {hidden} rows), " +
                $"but {byMetadata}; the file's __metadata__ must say \"cell\": \"{byShape}\".");
        }

        long input = Dim($"{prefix}weight_ih_l0", 1);
        long output = prefix.Length == 0 ? 0 : Dim("out.weight", 0);
        if (hidden > 1 << 16 || input > 1 << 20 || output > 1 << 20 || gates * hidden > 1 << 18)
        {
            throw new InvalidDataException($"{path}: sizes I={input}, H={hidden}, O={output} are beyond what this library supports.");
        }

        return new RnnShape((int)input, (int)hidden, (int)output, layers, bidirectional, nonlinearity, cell);
    }
}
