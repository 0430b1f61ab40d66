using System.Globalization;
using RnnKernels.IO;

namespace RnnKernels.Cli.Tests;

public sealed class GradCommandTests
{
    [Theory]
    [InlineData("tanh-l2-bidir-ce-ragged", "cross-entropy")]
    [InlineData("relu-l1-mse", "mse")]
    [InlineData("lstm-l2-bidir-ce-ragged", "cross-entropy")]
    [InlineData("gru-l2-bidir-mse-ragged", "mse")]
    public void WritesLossStateAndEveryGradientMatchingPyTorch(string name, string loss)
    {
        using var dir = new TempDirectory();
        string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        string output = dir.File("grads.safetensors");
        (int code, string stdout, string error) = Rnnk.Run("grad", "--model", Path.Combine(fixtures, $"{name}.model.safetensors"),
            "--data", Path.Combine(fixtures, $"{name}.data.safetensors"), "--out", output, "--loss", loss);
        Assert.True(code == 0, error);
        Assert.Contains($"wrote={output}", stdout, StringComparison.Ordinal);

        (IReadOnlyDictionary<string, SafeTensor> ours, _) = SafeTensorsFile.Read(output);
        (IReadOnlyDictionary<string, SafeTensor> pytorch, _) = SafeTensorsFile.Read(Path.Combine(fixtures, $"{name}.expected.safetensors"));
        Assert.Equal(pytorch.Keys.Order(), ours.Keys.Order());
        foreach ((string key, SafeTensor expected) in pytorch)
        {
            Assert.Equal(expected.Shape, ours[key].Shape);
            double difference = GradientCheck.NormwiseRelativeError(Array.ConvertAll(expected.ToFloats(), v => (double)v), ours[key].ToFloats());
            Assert.True(difference <= 1e-4, $"{key}: differs from PyTorch by {difference:E2}");
        }
    }

    [Fact]
    public void WritesNothingWhenTheInputIsBad()
    {
        using var dir = new TempDirectory();
        string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        string output = dir.File("grads.safetensors");
        // The mse fixture has no class targets: cross-entropy must refuse it before writing anything.
        (int code, _, string error) = Rnnk.Run("grad", "--model", Path.Combine(fixtures, "relu-l1-mse.model.safetensors"),
            "--data", Path.Combine(fixtures, "relu-l1-mse.data.safetensors"), "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("'targets'", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void GradcheckPassesOnEveryFeature()
    {
        (int code, string output, string error) = Rnnk.Run("gradcheck", "--bidirectional", "--layers", "2", "--nonlinearity", "tanh");
        Assert.True(code == 0, output + error);
        Assert.Equal(2, output.Split('\n').Count(l => l.EndsWith("PASS", StringComparison.Ordinal)));
        (code, output, error) = Rnnk.Run("gradcheck", "--nonlinearity", "relu", "--loss", "mse", "--layers", "1");
        Assert.True(code == 0, output + error);
        foreach (string cell in new[] { "lstm", "gru" })
        {
            (code, output, error) = Rnnk.Run("gradcheck", "--cell", cell, "--bidirectional");
            Assert.True(code == 0, output + error);
            Assert.Contains($" {cell} T=", output, StringComparison.Ordinal);
        }
    }
}
