using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RnnKernels;
using RnnKernels.IO;

namespace RnnKernels.Onnx.Tests;

/// <summary>
/// Exported models run in ONNX Runtime and give StreamingRnn.Run's outputs, h_n and c_n (relative 1e-5) for every
/// cell, stacked and bidirectional, with and without an output layer, at more than one T and B (both dynamic).
/// </summary>
public sealed class OnnxExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rnnk-onnx-").FullName;

    public static TheoryData<CellKind, Nonlinearity, int, bool, int> Models => new()
    {
        { CellKind.Rnn, Nonlinearity.Tanh, 1, false, 5 },
        { CellKind.Rnn, Nonlinearity.Relu, 2, true, 5 },
        { CellKind.Lstm, Nonlinearity.Tanh, 1, false, 5 },
        { CellKind.Lstm, Nonlinearity.Tanh, 2, true, 5 },
        { CellKind.Lstm, Nonlinearity.Tanh, 3, false, 0 },
        { CellKind.Gru, Nonlinearity.Tanh, 1, false, 5 },
        { CellKind.Gru, Nonlinearity.Tanh, 2, true, 0 },
    };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [MemberData(nameof(Models))]
    public void OnnxRuntimeRunsTheExportToStreamingRnnsNumbers(CellKind cell, Nonlinearity nonlinearity, int layers, bool bidirectional, int outputs)
    {
        var shape = new RnnShape(6, 10, outputs, layers, bidirectional, nonlinearity, cell);
        var model = new RnnModel(shape, seed: 12);
        string path = Path.Combine(_dir, "m.onnx");
        OnnxExport.Save(model, path);
        using var session = new InferenceSession(path);
        Assert.Equal(shape.HasCellState ? ["x", "h0", "c0"] : ["x", "h0"], session.InputMetadata.Keys);
        Assert.Equal(shape.HasCellState ? ["y", "h_n", "c_n"] : ["y", "h_n"], session.OutputMetadata.Keys);
        foreach ((int steps, int batch) in new[] { (7, 3), (2, 1) })
        {
            var random = new Random(steps);
            float[] Next(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2) - 1))];
            float[] x = Next(steps * batch * shape.InputSize), h0 = Next(shape.StateSize(batch)), c0 = Next(shape.StateSize(batch));
            int[] stateDims = [shape.Layers * shape.Directions, batch, shape.HiddenSize];
            var inputs = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [steps, batch, shape.InputSize])),
                NamedOnnxValue.CreateFromTensor("h0", new DenseTensor<float>(h0, stateDims)),
            };
            if (shape.HasCellState)
            {
                inputs.Add(NamedOnnxValue.CreateFromTensor("c0", new DenseTensor<float>(c0, stateDims)));
            }

            using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(inputs);
            var stream = new StreamingRnn(model, batch);
            h0.CopyTo(stream.State);
            if (shape.HasCellState)
            {
                c0.CopyTo(stream.CellState);
            }

            float[] expected = new float[steps * batch * shape.NetworkOutputSize];
            stream.Run(x, steps, expected);
            AssertClose(expected, results.Single(r => r.Name == "y").AsEnumerable<float>().ToArray(), "y");
            AssertClose(stream.State.ToArray(), results.Single(r => r.Name == "h_n").AsEnumerable<float>().ToArray(), "h_n");
            if (shape.HasCellState)
            {
                AssertClose(stream.CellState.ToArray(), results.Single(r => r.Name == "c_n").AsEnumerable<float>().ToArray(), "c_n");
            }
        }
    }

    [Fact]
    public void AModelWithANonFiniteWeightIsRefusedAndNothingIsWritten()
    {
        var model = new RnnModel(new RnnShape(2, 3, 2, cell: CellKind.Gru), seed: 1);
        model.Parameters[4] = float.NaN;
        string path = Path.Combine(_dir, "bad.onnx");
        Assert.Contains("non-finite", Assert.Throws<InvalidOperationException>(() => OnnxExport.Save(model, path)).Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.Throws<DirectoryNotFoundException>(() => OnnxExport.Save(new RnnModel(new RnnShape(2, 3, 2), seed: 1), Path.Combine(_dir, "no", "m.onnx")));
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            difference += Math.Pow(expected[i] - actual[i], 2);
            norm += Math.Pow(expected[i], 2);
        }

        double relative = Math.Sqrt(difference / Math.Max(norm, 1e-12));
        Assert.True(relative <= 1e-5, $"{what}: relative difference {relative:E2}");
    }
}
