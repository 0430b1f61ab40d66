namespace RnnKernels.IO;

/// <summary>
/// A batch as a safetensors file: <c>x</c> [T, B, I] F32, optional <c>h0</c> [L*D, B, H] F32 (and <c>c0</c> of the
/// same shape for an LSTM), optional <c>lengths</c> [B] I64 (1..T), and <c>targets</c> [T, B] I64 or <c>y</c> [T, B, O] F32.
/// </summary>
public static class DataFile
{
    /// <summary>Reads and validates a batch for a model of <paramref name="shape"/> and the given loss.</summary>
    /// <param name="path">File to read.</param>
    /// <param name="shape">The model it will be fed to.</param>
    /// <param name="loss">Which targets are required.</param>
    /// <returns>The batch.</returns>
    /// <exception cref="InvalidDataException">Anything is missing, misshapen, out of range or non-finite.</exception>
    public static SequenceData Load(string path, RnnShape shape, LossKind loss)
    {
        ArgumentNullException.ThrowIfNull(shape);
        (IReadOnlyDictionary<string, SafeTensor> tensors, _) = SafeTensorsFile.Read(path);
        string[] known = ["x", "h0", "c0", "lengths", "targets", "y"];
        string? unknown = tensors.Keys.FirstOrDefault(k => !known.Contains(k));
        if (unknown is not null)
        {
            throw new InvalidDataException($"{path}: unexpected tensor '{unknown}' (a data file holds x, h0, c0, lengths, targets or y).");
        }

        if (tensors.ContainsKey("c0") && !shape.HasCellState)
        {
            throw new InvalidDataException($"{path}: tensor 'c0' is an LSTM's cell state, but the model's cell is {ModelFile.CellName(shape.Cell)}.");
        }

        SafeTensor x = Get(path, tensors, "x") ?? throw new InvalidDataException($"{path}: tensor 'x' is missing.");
        ExpectRank(path, "x", x, 3);
        int steps = (int)x.Shape[0], batch = (int)x.Shape[1];
        if (steps < 1 || batch < 1)
        {
            throw new InvalidDataException($"{path}: tensor 'x' has shape [{string.Join(", ", x.Shape)}]; T and B must be at least 1.");
        }

        ExpectShape(path, "x", x, [steps, batch, shape.InputSize], "[T, B, I] with I from the model");
        float[] inputs = Finite(path, "x", x.ToFloats());

        float[]? h0 = null;
        if (Get(path, tensors, "h0") is { } h0Tensor)
        {
            ExpectShape(path, "h0", h0Tensor, [shape.Layers * shape.Directions, batch, shape.HiddenSize], "[L*D, B, H]");
            h0 = Finite(path, "h0", h0Tensor.ToFloats());
        }

        float[]? c0 = null;
        if (Get(path, tensors, "c0") is { } c0Tensor)
        {
            ExpectShape(path, "c0", c0Tensor, [shape.Layers * shape.Directions, batch, shape.HiddenSize], "[L*D, B, H]");
            c0 = Finite(path, "c0", c0Tensor.ToFloats());
        }

        int[]? lengths = null;
        if (Get(path, tensors, "lengths") is { } lengthTensor)
        {
            ExpectShape(path, "lengths", lengthTensor, [batch], "[B]");
            ExpectDType(path, "lengths", lengthTensor, SafeTensorsDType.I64);
            long[] values = lengthTensor.ToInt64s();
            int bad = Array.FindIndex(values, v => v < 1 || v > steps);
            if (bad >= 0)
            {
                throw new InvalidDataException($"{path}: lengths[{bad}] = {values[bad]} is outside 1..{steps}.");
            }

            lengths = Array.ConvertAll(values, v => (int)v);
        }

        int[]? classes = null;
        float[]? y = null;
        if (loss == LossKind.CrossEntropy)
        {
            SafeTensor targets = Get(path, tensors, "targets") ?? throw new InvalidDataException($"{path}: tensor 'targets' [T, B] I64 is missing (needed for cross-entropy).");
            ExpectShape(path, "targets", targets, [steps, batch], "[T, B]");
            ExpectDType(path, "targets", targets, SafeTensorsDType.I64);
            long[] values = targets.ToInt64s();
            int bad = Array.FindIndex(values, v => v < 0 || v >= shape.OutputSize);
            if (bad >= 0)
            {
                throw new InvalidDataException($"{path}: targets[t={bad / batch}, b={bad % batch}] = {values[bad]} is outside 0..{shape.OutputSize - 1}.");
            }

            classes = Array.ConvertAll(values, v => (int)v);
        }
        else
        {
            SafeTensor target = Get(path, tensors, "y") ?? throw new InvalidDataException($"{path}: tensor 'y' [T, B, O] F32 is missing (needed for mse).");
            ExpectShape(path, "y", target, [steps, batch, shape.OutputSize], "[T, B, O]");
            y = Finite(path, "y", target.ToFloats());
        }

        return new SequenceData(steps, batch, inputs, h0, lengths, classes, y) { InitialCellState = c0 };
    }

    private static SafeTensor? Get(string path, IReadOnlyDictionary<string, SafeTensor> tensors, string name)
    {
        if (!tensors.TryGetValue(name, out SafeTensor? tensor))
        {
            return null;
        }

        if (name is "x" or "h0" or "y")
        {
            ExpectDType(path, name, tensor, SafeTensorsDType.F32);
        }

        return tensor;
    }

    private static void ExpectRank(string path, string name, SafeTensor tensor, int rank)
    {
        if (tensor.Shape.Length != rank)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' must have {rank} dimensions, but has shape [{string.Join(", ", tensor.Shape)}].");
        }
    }

    private static void ExpectShape(string path, string name, SafeTensor tensor, long[] expected, string meaning)
    {
        if (!tensor.Shape.SequenceEqual(expected))
        {
            throw new InvalidDataException(
                $"{path}: tensor '{name}' has shape [{string.Join(", ", tensor.Shape)}], expected [{string.Join(", ", expected)}] ({meaning}).");
        }
    }

    private static void ExpectDType(string path, string name, SafeTensor tensor, SafeTensorsDType dtype)
    {
        if (tensor.DType != dtype)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' is {tensor.DType}, expected {dtype}.");
        }
    }

    private static float[] Finite(string path, string name, float[] values)
    {
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        return bad < 0 ? values : throw new InvalidDataException($"{path}: tensor '{name}' holds a non-finite value at flat index {bad}.");
    }
}
