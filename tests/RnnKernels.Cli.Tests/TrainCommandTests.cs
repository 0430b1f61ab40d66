using System.Globalization;
using RnnKernels.Cli.Text;

namespace RnnKernels.Cli.Tests;

public sealed class TrainCommandTests
{
    [Fact]
    public void LossFallsOnASmallCorpus()
    {
        using var dir = new TempDirectory();
        string text = DefaultCorpus.Generate(seed: 5, targetLength: 8000);
        File.WriteAllText(dir.File("small.txt"), text);
        (int code, string output, string error) = Rnnk.Run("train", "--text", dir.File("small.txt"), "--hidden", "48", "--seq", "24", "--batch", "8", "--steps", "200", "--sample-every", "100");
        Assert.True(code == 0, error);
        double start = double.Parse(Rnnk.Field(output, "loss_start"), CultureInfo.InvariantCulture);
        double end = double.Parse(Rnnk.Field(output, "loss_end"), CultureInfo.InvariantCulture);
        Assert.True(end < 0.75 * start, $"loss_start={start} loss_end={end}");
        Assert.Contains("--- sample at step 100 ---", output, StringComparison.Ordinal);
        Assert.StartsWith("trained steps=200 ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void GatedCellsLearnTheCorpusSaveAndSample(string cell)
    {
        using var dir = new TempDirectory();
        string text = DefaultCorpus.Generate(seed: 5, targetLength: 8000);
        File.WriteAllText(dir.File("small.txt"), text);
        string model = dir.File("m.safetensors");
        (int code, string output, string error) = Rnnk.Run("train", "--cell", cell, "--text", dir.File("small.txt"), "--hidden", "48", "--seq", "24",
            "--batch", "8", "--steps", "200", "--sample-every", "0", "--save", model);
        Assert.True(code == 0, error);
        double start = double.Parse(Rnnk.Field(output, "loss_start"), CultureInfo.InvariantCulture);
        double end = double.Parse(Rnnk.Field(output, "loss_end"), CultureInfo.InvariantCulture);
        Assert.True(end < 0.75 * start, $"{cell}: loss_start={start} loss_end={end}");
        Assert.Equal(cell, RnnKernels.IO.ModelFile.Load(model).Metadata["cell"]);
        var sample = Rnnk.Run("sample", "--model", model, "--length", "80", "--seed", "3");
        Assert.Equal(0, sample.Code);
        Assert.Equal(sample.Out, Rnnk.Run("sample", "--model", model, "--length", "80", "--seed", "3").Out);
        // Resuming a saved model: its sizes given again are accepted, other sizes refused naming both values.
        (code, _, error) = Rnnk.Run("train", "--resume", model, "--text", dir.File("small.txt"), "--cell", cell, "--hidden", "48", "--steps", "1", "--sample-every", "0");
        Assert.True(code == 0, error);
        (code, _, error) = Rnnk.Run("train", "--resume", model, "--text", dir.File("small.txt"), "--cell", cell, "--hidden", "47", "--steps", "1");
        Assert.Equal(2, code);
        Assert.Contains("--hidden 47 (it holds 48)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SavesReloadsAndSamplesDeterministically()
    {
        using var dir = new TempDirectory();
        string model = dir.File("m.safetensors");
        (int code, string output, string error) = Rnnk.Run("train", "--hidden", "32", "--seq", "16", "--batch", "4", "--steps", "30", "--save", model, "--sample-every", "0");
        Assert.True(code == 0, error);
        Assert.Equal(model, Rnnk.Field(output, "saved"));

        var first = Rnnk.Run("sample", "--model", model, "--length", "120", "--seed", "7", "--prime", "day ");
        var second = Rnnk.Run("sample", "--model", model, "--length", "120", "--seed", "7", "--prime", "day ");
        var other = Rnnk.Run("sample", "--model", model, "--length", "120", "--seed", "8", "--prime", "day ");
        Assert.Equal(0, first.Code);
        Assert.StartsWith("day ", first.Out, StringComparison.Ordinal);
        Assert.Equal(first.Out, second.Out);
        Assert.NotEqual(first.Out, other.Out);
        Assert.Equal(4 + 120, first.Out.TrimEnd('\n').Length);

        // Resuming continues from the saved weights (loss starts where the first run ended, not at ln V).
        (code, string resumed, error) = Rnnk.Run("train", "--resume", model, "--seq", "16", "--batch", "4", "--steps", "10", "--sample-every", "0");
        Assert.True(code == 0, error);
        double fresh = double.Parse(Rnnk.Field(output, "loss_start"), CultureInfo.InvariantCulture);
        double again = double.Parse(Rnnk.Field(resumed, "loss_start"), CultureInfo.InvariantCulture);
        Assert.True(again < fresh, $"resumed loss_start {again} should be below the fresh run's {fresh}");
    }

    [Fact]
    public void CancellationStopsSavesTheLastGoodStateAndExits130()
    {
        using var dir = new TempDirectory();
        string model = dir.File("m.safetensors");
        using var cancel = new CancellationTokenSource();
        var output = new CancelOnText("step 1/", cancel);
        int code = CliApp.Run(["train", "--hidden", "16", "--seq", "8", "--batch", "2", "--steps", "10000000", "--save", model, "--sample-every", "0"],
            output, new StringWriter(), cancel.Token);
        Assert.Equal(130, code);
        Assert.Contains("interrupted=true", output.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(model));
        Assert.Equal(0, Rnnk.Run("sample", "--model", model, "--length", "10").Code);
    }

    /// <summary>A writer that cancels a token when a given text is written (a stand-in for Ctrl+C mid-run).</summary>
    private sealed class CancelOnText(string trigger, CancellationTokenSource cancel) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(trigger, StringComparison.Ordinal) == true)
            {
                cancel.Cancel();
            }
        }
    }
}
