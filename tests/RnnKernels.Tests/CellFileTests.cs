using RnnKernels;
using RnnKernels.IO;

namespace RnnKernels.Tests;

/// <summary>Model and data files of gated cells: round trips, and files whose shapes and metadata disagree.</summary>
public sealed class CellFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"rnnk-cell-{Guid.NewGuid():N}");

    public CellFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void GatedModelsRoundTripWithTheirCellInMetadata(CellKind cell)
    {
        var model = new RnnModel(new RnnShape(3, 4, 5, layers: 2, bidirectional: true, cell: cell), seed: 3);
        string path = Path.Combine(_dir, "m.safetensors");
        ModelFile.Save(model, path);
        (RnnModel loaded, IReadOnlyDictionary<string, string> metadata) = ModelFile.Load(path);
        Assert.Equal(model.Shape, loaded.Shape);
        Assert.Equal(model.Parameters, loaded.Parameters);
        Assert.Equal(ModelFile.CellName(cell), metadata["cell"]);
        Assert.False(metadata.ContainsKey("nonlinearity"));
        Assert.Equal([4 * (cell == CellKind.Lstm ? 4 : 3), 4], model.Layout.Recurrent(1, 1).WeightHh.Shape);
    }

    [Fact]
    public void ShapesAndMetadataThatDisagreeAreRejectedSayingWhich()
    {
        // A PyTorch nn.LSTM state_dict saved without metadata: the shapes say lstm, the missing key says rnn.
        Expect(CellKind.Lstm, [], "shaped for cell 'lstm' (4 gate blocks of H = 4 rows), but metadata names no cell, which means 'rnn'; the file's __metadata__ must say \"cell\": \"lstm\"");
        Expect(CellKind.Gru, new() { ["cell"] = "lstm" }, "shaped for cell 'gru' (3 gate blocks of H = 4 rows), but metadata names cell 'lstm'");
        Expect(CellKind.Rnn, new() { ["cell"] = "gru" }, "shaped for cell 'rnn' (1 gate blocks of H = 4 rows), but metadata names cell 'gru'");
        Expect(CellKind.Lstm, new() { ["cell"] = "transformer" }, "unknown cell 'transformer' in metadata (expected rnn, lstm or gru)");
        Expect(CellKind.Lstm, new() { ["cell"] = "lstm", ["nonlinearity"] = "relu" }, "metadata names nonlinearity 'relu' for cell 'lstm'");
    }

    [Fact]
    public void WeightsThatAreNoWholeNumberOfGatesAreRejected()
    {
        var model = new RnnModel(new RnnShape(3, 4, 5), seed: 2);
        var tensors = model.Layout.Tensors.ToDictionary(t => t.Name, t => SafeTensor.FromFloats(t.Shape, model.View(t)));
        tensors["rnn.weight_hh_l0"] = SafeTensor.FromFloats([8, 3], new float[24]);
        string path = Path.Combine(_dir, "odd.safetensors");
        SafeTensorsFile.Write(path, tensors, new Dictionary<string, string>());
        Assert.Contains("a recurrent weight is [G*H, H] with G = 1 (rnn), 4 (lstm) or 3 (gru)", Assert.Throws<InvalidDataException>(() => ModelFile.Load(path)).Message);
    }

    [Fact]
    public void CellStateBelongsToLstmDataOnly()
    {
        SafeTensor x = SafeTensor.FromFloats([2, 1, 3], new float[6]);
        SafeTensor targets = SafeTensor.FromInt64s([2, 1], [0, 1]);
        string path = Path.Combine(_dir, "d.safetensors");
        SafeTensorsFile.Write(path, new Dictionary<string, SafeTensor> { ["x"] = x, ["targets"] = targets, ["c0"] = SafeTensor.FromFloats([1, 1, 4], [1, 2, 3, 4]) },
            new Dictionary<string, string>());
        SequenceData data = DataFile.Load(path, new RnnShape(3, 4, 5, cell: CellKind.Lstm), LossKind.CrossEntropy);
        Assert.Equal([1f, 2, 3, 4], data.InitialCellState!);
        var e = Assert.Throws<InvalidDataException>(() => DataFile.Load(path, new RnnShape(3, 4, 5, cell: CellKind.Gru), LossKind.CrossEntropy));
        Assert.Contains("tensor 'c0' is an LSTM's cell state, but the model's cell is gru", e.Message);
    }

    private void Expect(CellKind shapeCell, Dictionary<string, string> metadata, string message)
    {
        var model = new RnnModel(new RnnShape(3, 4, 5, cell: shapeCell), seed: 2);
        var tensors = model.Layout.Tensors.ToDictionary(t => t.Name, t => SafeTensor.FromFloats(t.Shape, model.View(t)));
        string path = Path.Combine(_dir, $"m{Guid.NewGuid():N}.safetensors");
        SafeTensorsFile.Write(path, tensors, metadata);
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
