using System.Buffers.Binary;
using System.Text;
using RnnKernels;
using RnnKernels.IO;

namespace RnnKernels.Tests;

/// <summary>Hostile and broken files: each must fail with InvalidDataException naming the file and what is wrong.</summary>
public sealed class SafeTensorsHostileFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"rnnk-st-{Guid.NewGuid():N}");

    public SafeTensorsHostileFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RoundTripsTensorsAndMetadata()
    {
        var model = new RnnModel(new RnnShape(3, 4, 5, layers: 2, bidirectional: true, Nonlinearity.Relu), seed: 3);
        string path = Path.Combine(_dir, "m.safetensors");
        ModelFile.Save(model, path, new Dictionary<string, string> { ["note"] = "x\"y" });
        (RnnModel loaded, IReadOnlyDictionary<string, string> metadata) = ModelFile.Load(path);
        Assert.Equal(model.Shape, loaded.Shape);
        Assert.Equal(model.Parameters, loaded.Parameters);
        Assert.Equal("x\"y", metadata["note"]);
        Assert.Equal("relu", metadata["nonlinearity"]);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void TooShortFile() => Expect(Write([1, 2, 3]), "too short");

    [Fact]
    public void HeaderLengthBeyondTheFile()
    {
        byte[] bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        Expect(Write(bytes), "does not fit");
    }

    [Fact]
    public void HeaderLengthBeyondTheCapIsRefusedBeforeReadingIt()
    {
        // A sparse file just over the cap: the reader must refuse from the 8-byte prefix, not allocate 100 MB.
        string path = Path.Combine(_dir, "big.safetensors");
        using (var stream = new FileStream(path, FileMode.Create))
        {
            byte[] prefix = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, SafeTensorsFile.MaxHeaderBytes + 1);
            stream.Write(prefix);
            stream.SetLength(SafeTensorsFile.MaxHeaderBytes + 64);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        Expect(path, "exceeds the 100000000-byte limit");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1, 2]", "not a JSON object")]
    [InlineData("{\"a\": {\"dtype\": \"BF16\", \"shape\": [1], \"data_offsets\": [0, 2]}}", "tensor 'a' has dtype 'BF16'")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", "tensor 'a' of shape [2] F32 needs 8 bytes")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8000]}}", "tensor 'a' has data_offsets [4, 8000] outside")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 4]}}", "tensor 'a' has data_offsets [8, 4]")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", "tensor 'a' has a dimension")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", "tensor 'a' needs a string dtype")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", "tensors 'a' and 'b' overlap")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", "tensor 'a' appears twice")]
    [InlineData("{\"__metadata__\": {\"k\": 3}}", "entry 'k' is not a string")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904, 4], \"data_offsets\": [0, 4]}}", "tensor 'a' has a dimension")]
    public void MalformedHeaders(string header, string message) => Expect(WithHeader(header, dataBytes: 16), message);

    [Fact]
    public void MissingTensor() => ExpectModel(t => t.Remove("rnn.bias_hh_l0"), "tensor 'rnn.bias_hh_l0' is missing");

    [Fact]
    public void ExtraTensor() => ExpectModel(t => t["rnn.weight_ih_l7"] = SafeTensor.FromFloats([1], [0f]), "tensor 'rnn.weight_ih_l7' is not part");

    [Fact]
    public void InconsistentSizesBetweenTensors() =>
        ExpectModel(t => t["rnn.weight_hh_l0"] = SafeTensor.FromFloats([4, 3], new float[12]), "tensor 'rnn.weight_hh_l0' has shape [4, 3]");

    [Fact]
    public void WrongRank() => ExpectModel(t => t["out.weight"] = SafeTensor.FromFloats([20], new float[20]), "tensor 'out.weight' must be 2-dimensional");

    [Fact]
    public void IntegerWeights() => ExpectModel(t => t["out.bias"] = SafeTensor.FromInt64s([5], new long[5]), "tensor 'out.bias' is I64");

    [Fact]
    public void NonFiniteWeights() => ExpectModel(t => t["out.bias"] = SafeTensor.FromFloats([5], [0f, float.NaN, 0f, 0f, 0f]), "tensor 'out.bias' holds a non-finite value");

    [Fact]
    public void UnknownNonlinearity() => ExpectModel(_ => { }, "unknown nonlinearity 'sigmoid'", new Dictionary<string, string> { ["nonlinearity"] = "sigmoid" });

    [Fact]
    public void DataFileProblemsNameTheTensor()
    {
        var shape = new RnnShape(3, 4, 5);
        void ExpectData(Dictionary<string, SafeTensor> tensors, LossKind loss, string message)
        {
            string path = Path.Combine(_dir, $"d{Guid.NewGuid():N}.safetensors");
            SafeTensorsFile.Write(path, tensors, new Dictionary<string, string>());
            var e = Assert.Throws<InvalidDataException>(() => DataFile.Load(path, shape, loss));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains(message, e.Message, StringComparison.Ordinal);
        }

        SafeTensor x = SafeTensor.FromFloats([2, 1, 3], new float[6]);
        ExpectData(new() { ["x"] = SafeTensor.FromFloats([2, 1, 4], new float[8]), ["targets"] = SafeTensor.FromInt64s([2, 1], [0, 1]) },
            LossKind.CrossEntropy, "tensor 'x' has shape [2, 1, 4], expected [2, 1, 3]");
        ExpectData(new() { ["x"] = x, ["targets"] = SafeTensor.FromInt64s([2, 1], [0, 5]) }, LossKind.CrossEntropy, "targets[t=1, b=0] = 5 is outside 0..4");
        ExpectData(new() { ["x"] = x, ["targets"] = SafeTensor.FromInt64s([2, 1], [0, 1]), ["lengths"] = SafeTensor.FromInt64s([1], [3]) },
            LossKind.CrossEntropy, "lengths[0] = 3 is outside 1..2");
        ExpectData(new() { ["x"] = SafeTensor.FromFloats([2, 1, 3], [0, 0, float.PositiveInfinity, 0, 0, 0]), ["targets"] = SafeTensor.FromInt64s([2, 1], [0, 1]) },
            LossKind.CrossEntropy, "tensor 'x' holds a non-finite value at flat index 2");
        ExpectData(new() { ["x"] = x }, LossKind.SquaredError, "tensor 'y' [T, B, O] F32 is missing");
        ExpectData(new() { ["x"] = x, ["targets"] = SafeTensor.FromInt64s([2, 1], [0, 1]), ["h0"] = SafeTensor.FromFloats([1, 1, 3], new float[3]) },
            LossKind.CrossEntropy, "tensor 'h0' has shape [1, 1, 3], expected [1, 1, 4]");
        ExpectData(new() { ["x"] = x, ["targets"] = SafeTensor.FromInt64s([2, 1], [0, 1]), ["z"] = SafeTensor.FromFloats([1], [0f]) },
            LossKind.CrossEntropy, "unexpected tensor 'z'");
    }

    [Fact]
    public void AFailedSaveLeavesThePreviousFileIntact()
    {
        var model = new RnnModel(new RnnShape(2, 3, 2), seed: 1);
        string path = Path.Combine(_dir, "keep.safetensors");
        ModelFile.Save(model, path);
        byte[] before = File.ReadAllBytes(path);
        model.Parameters[0] = float.NaN;
        Assert.Throws<InvalidOperationException>(() => ModelFile.Save(model, path));
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s => throw new IOException("disk full")));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    private void ExpectModel(Action<Dictionary<string, SafeTensor>> damage, string message, Dictionary<string, string>? metadata = null)
    {
        var model = new RnnModel(new RnnShape(3, 4, 5), seed: 2);
        var tensors = model.Layout.Tensors.ToDictionary(t => t.Name, t => SafeTensor.FromFloats(t.Shape, model.View(t)));
        damage(tensors);
        string path = Path.Combine(_dir, "model.safetensors");
        SafeTensorsFile.Write(path, tensors, metadata ?? new Dictionary<string, string> { ["nonlinearity"] = "tanh" });
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private string WithHeader(string header, int dataBytes)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        byte[] bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return Write(bytes);
    }

    private string Write(byte[] bytes)
    {
        string path = Path.Combine(_dir, $"f{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void Expect(string path, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
