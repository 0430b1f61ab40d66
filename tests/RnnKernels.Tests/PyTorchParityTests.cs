using RnnKernels;
using RnnKernels.IO;

namespace RnnKernels.Tests;

/// <summary>
/// Fixtures written by PyTorch autograd (Fixtures/make_fixtures.py, Debian's python3-torch) for nn.RNN, nn.LSTM and
/// nn.GRU: the engine must load the model and data files and reproduce PyTorch's loss, h_n (and c_n) within 1e-5
/// relative and every gradient within 1e-4.
/// </summary>
public sealed class PyTorchParityTests
{
    public static TheoryData<string, LossKind> Fixtures => new()
    {
        { "tanh-l2-bidir-ce-ragged", LossKind.CrossEntropy },
        { "relu-l1-mse", LossKind.SquaredError },
        { "tanh-l1-ce-b1", LossKind.CrossEntropy },
        { "lstm-l2-bidir-ce-ragged", LossKind.CrossEntropy },
        { "lstm-l1-mse-b1", LossKind.SquaredError },
        { "gru-l2-bidir-mse-ragged", LossKind.SquaredError },
        { "gru-l1-ce", LossKind.CrossEntropy },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void MatchesPyTorchAutograd(string name, LossKind loss)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        (RnnModel model, _) = ModelFile.Load(Path.Combine(dir, $"{name}.model.safetensors"));
        SequenceData data = DataFile.Load(Path.Combine(dir, $"{name}.data.safetensors"), model.Shape, loss);
        (IReadOnlyDictionary<string, SafeTensor> expected, _) = SafeTensorsFile.Read(Path.Combine(dir, $"{name}.expected.safetensors"));

        using var engine = new RnnEngine(model, data.Steps, data.Batch);
        engine.Forward(data.Inputs, data.Steps, data.Batch, data.Lengths, data.InitialState, data.InitialCellState);
        double value = loss == LossKind.CrossEntropy ? engine.BackwardCrossEntropy(data.ClassTargets) : engine.BackwardSquaredError(data.ValueTargets);

        float expectedLoss = expected["loss"].ToFloats()[0];
        Assert.True(Math.Abs(value - expectedLoss) <= 1e-5 * Math.Abs(expectedLoss), $"{name}: loss {value} vs PyTorch {expectedLoss}");
        AssertClose(expected["h_n"].ToFloats(), engine.FinalState, 1e-5, $"{name}: h_n");
        Assert.Equal(expected.ContainsKey("c_n"), model.Shape.HasCellState);
        if (expected.TryGetValue("c_n", out SafeTensor? cn))
        {
            AssertClose(cn.ToFloats(), engine.FinalCellState, 1e-5, $"{name}: c_n");
        }
        foreach (ParameterTensor tensor in model.Layout.Tensors)
        {
            AssertClose(expected[$"grad.{tensor.Name}"].ToFloats(), engine.Gradients.AsSpan(tensor.Offset, tensor.Length), 1e-4, $"{name}: grad.{tensor.Name}");
        }
    }

    private static void AssertClose(float[] expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        double error = GradientCheck.NormwiseRelativeError(Array.ConvertAll(expected, v => (double)v), actual);
        Assert.True(error <= tolerance, $"{what}: relative error {error:E2} > {tolerance:E0}");
    }
}
