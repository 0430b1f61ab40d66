using System.Globalization;
using System.Xml.Linq;
using RnnKernels.IO;
using RnnKernels.Cli.Text;

namespace RnnKernels.Cli.Tests;

/// <summary>The job around the engine: held-out split, exact resume, refused checkpoints, eval, metrics and the plot.</summary>
public sealed class TrainRunTests
{
    private static readonly string[] Small = ["--hidden", "24", "--seq", "12", "--batch", "4", "--sample-every", "0"];

    [Fact]
    public void NoHeldOutCharacterIsEverTrainedOn()
    {
        // The held-out tail is made of a character the training part never has: if training read any of it, the
        // model would learn to predict it. With the split it stays as unlikely as at the start, while eval on it is bad.
        using var dir = new TempDirectory();
        string text = DefaultCorpus.Generate(seed: 5, targetLength: 6000);
        File.WriteAllText(dir.File("t.txt"), text + new string('~', text.Length / 12)); // Less than the 10% held out.
        string model = dir.File("m.safetensors");
        (int code, string output, string error) = Rnnk.Run(["train", "--text", dir.File("t.txt"), .. Small, "--steps", "150", "--save", model]);
        Assert.True(code == 0, error);
        double val = double.Parse(Rnnk.Field(output, "val_loss"), CultureInfo.InvariantCulture);
        double trained = double.Parse(Rnnk.Field(output, "loss_end"), CultureInfo.InvariantCulture);
        Assert.True(val > trained + 1, $"the held-out '~' run must look unseen: val_loss={val}, loss_end={trained}");

        // The model was never shown '~' as a target, so it predicts '~' after '~' no better than a uniform guess.
        File.WriteAllText(dir.File("tilde.txt"), new string('~', 200));
        var eval = Rnnk.Run("eval", "--model", model, "--text", dir.File("tilde.txt"));
        Assert.True(eval.Code == 0, eval.Err);
        int vocabulary = text.Distinct().Count() + 1;
        Assert.True(double.Parse(Rnnk.Field(eval.Out, "loss"), CultureInfo.InvariantCulture) > Math.Log(vocabulary) - 0.5, eval.Out);
    }

    [Theory]
    [InlineData("rnn", "1", "0")]
    [InlineData("lstm", "1", "0")]
    [InlineData("gru", "2", "0.3")]
    public void AStoppedAndResumedRunEndsByteIdenticalToAnUninterruptedOne(string cell, string layers, string dropout)
    {
        using var dir = new TempDirectory();
        string[] common = [.. Small, "--eval-every", "7", "--lr-decay", "0.9", "--lr-decay-every", "5", "--layers", layers, "--dropout", dropout];
        string full = dir.File("full.safetensors"), resumed = dir.File("resumed.safetensors"), checkpoint = dir.File("ck.safetensors");
        var straight = Rnnk.Run(["train", "--cell", cell, .. common, "--steps", "30", "--save", full, "--metrics", dir.File("full.csv")]);
        if (dropout != "0")
        {
            // Dropout changes the trajectory: the run without it ends elsewhere.
            var without = Rnnk.Run(["train", "--cell", cell, .. common[..^2], "--steps", "30", "--save", dir.File("plain.safetensors")]);
            Assert.NotEqual(File.ReadAllBytes(full), File.ReadAllBytes(dir.File("plain.safetensors")));
        }

        Assert.True(straight.Code == 0, straight.Err);
        var first = Rnnk.Run(["train", "--cell", cell, .. common, "--steps", "13", "--checkpoint", checkpoint, "--checkpoint-every", "13",
            "--metrics", dir.File("part.csv")]);
        Assert.True(first.Code == 0, first.Err);
        // The command that started the run, with --resume added (as training scripts rerun it).
        var second = Rnnk.Run(["train", "--cell", cell, .. common, "--steps", "30", "--resume", checkpoint, "--save", resumed,
            "--metrics", dir.File("part.csv")]);
        Assert.True(second.Code == 0, second.Err);
        Assert.Equal(File.ReadAllBytes(full), File.ReadAllBytes(resumed));
        Assert.Equal(Rnnk.Field(straight.Out, "val_loss"), Rnnk.Field(second.Out, "val_loss"));
        // Step, training loss and rate of every row (the stopped run also scored the held-out text at its last step).
        string[] Columns(string path) => [.. File.ReadAllLines(path).Skip(2).Select(l => l.Split(',')).Select(f => $"{f[0]},{f[1]},{f[3]}")];
        Assert.Equal(Columns(dir.File("full.csv")), Columns(dir.File("part.csv")));
        Assert.True(File.Exists(dir.File("ck.best.safetensors")));
    }

    [Fact]
    public void CheckpointsOfAnotherTextOrWithOtherOptionsAreRefusedNamingWhy()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("ck.safetensors");
        Assert.Equal(0, Rnnk.Run(["train", .. Small, "--steps", "3", "--checkpoint", checkpoint]).Code);
        File.WriteAllText(dir.File("other.txt"), DefaultCorpus.Generate(seed: 9, targetLength: 20000));
        var otherText = Rnnk.Run("train", "--resume", checkpoint, "--steps", "5", "--text", dir.File("other.txt"));
        Assert.Equal(2, otherText.Code);
        Assert.Contains("was made on another text", otherText.Err, StringComparison.Ordinal);
        var otherSeq = Rnnk.Run("train", "--resume", checkpoint, "--steps", "5", "--seq", "20");
        Assert.Equal(2, otherSeq.Code);
        Assert.Contains("--seq 20 (it holds 12)", otherSeq.Err, StringComparison.Ordinal);
        var otherCellAndRate = Rnnk.Run("train", "--resume", checkpoint, "--steps", "5", "--cell", "gru", "--lr", "0.01");
        Assert.Equal(2, otherCellAndRate.Code);
        Assert.Contains("--cell gru (it holds rnn), --lr 0.01 (it holds 0.003)", otherCellAndRate.Err, StringComparison.Ordinal);
        var past = Rnnk.Run("train", "--resume", checkpoint, "--steps", "2");
        Assert.Equal(2, past.Code);
        Assert.Contains("past --steps 2", past.Err, StringComparison.Ordinal);
        File.WriteAllText(dir.File("text.safetensors"), "not a checkpoint");
        Assert.Equal(2, Rnnk.Run("train", "--resume", dir.File("text.safetensors"), "--steps", "5").Code);
    }

    [Fact]
    public void ACheckpointIsAModelForSampleEvalAndAResumeThatHasNothingLeftSaysSo()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("ck.safetensors");
        Assert.Equal(0, Rnnk.Run(["train", .. Small, "--steps", "6", "--eval-every", "3", "--checkpoint", checkpoint]).Code);
        File.WriteAllText(dir.File("t.txt"), DefaultCorpus.Generate(seed: 3, targetLength: 500));
        foreach (string file in new[] { checkpoint, TrainRunState.BestPath(checkpoint) })
        {
            var sample = Rnnk.Run("sample", "--model", file, "--length", "40");
            Assert.True(sample.Code == 0, sample.Err);
            var eval = Rnnk.Run("eval", "--model", file, "--text", dir.File("t.txt"));
            Assert.True(eval.Code == 0, eval.Err);
        }

        Assert.Equal(ModelFile.Load(checkpoint).Model.Parameters, TrainingCheckpoint.Load(checkpoint).Model.Parameters);
        var done = Rnnk.Run(["train", .. Small, "--steps", "6", "--resume", checkpoint]);
        Assert.True(done.Code == 0, done.Err);
        Assert.Contains($"nothing to do: {checkpoint} is at step 6, which --steps 6 asks for", done.Out, StringComparison.Ordinal);
        Assert.True(double.IsFinite(double.Parse(Rnnk.Field(done.Out, "val_loss"), CultureInfo.InvariantCulture)), done.Out);
    }

    [Fact]
    public void EvalPrintsLossBitsAndPerplexityOfTheWholeText()
    {
        using var dir = new TempDirectory();
        string model = dir.File("m.safetensors");
        Assert.Equal(0, Rnnk.Run(["train", .. Small, "--steps", "20", "--save", model]).Code);
        string text = DefaultCorpus.Generate(seed: 77, targetLength: 3000);
        File.WriteAllText(dir.File("t.txt"), text);
        var eval = Rnnk.Run("eval", "--model", model, "--text", dir.File("t.txt"), "--seq", "16", "--batch", "5");
        Assert.True(eval.Code == 0, eval.Err);
        double loss = double.Parse(Rnnk.Field(eval.Out, "loss"), CultureInfo.InvariantCulture);
        Assert.Equal((text.Length - 1).ToString(CultureInfo.InvariantCulture), Rnnk.Field(eval.Out, "chars"));
        Assert.Equal(loss / Math.Log(2), double.Parse(Rnnk.Field(eval.Out, "bits_per_char"), CultureInfo.InvariantCulture), 3);
        Assert.Equal(Math.Exp(loss), double.Parse(Rnnk.Field(eval.Out, "perplexity"), CultureInfo.InvariantCulture), 2);
        // The split into streams changes only where each stream starts from a zero state, so one stream of the whole
        // text and five give nearly the same loss.
        var single = Rnnk.Run("eval", "--model", model, "--text", dir.File("t.txt"), "--seq", "16", "--batch", "1");
        Assert.Equal(loss, double.Parse(Rnnk.Field(single.Out, "loss"), CultureInfo.InvariantCulture), 1);
    }

    [Fact]
    public void ThePlotDrawsEveryMetricsRowWhereTheAxesPutIt()
    {
        using var dir = new TempDirectory();
        string csv = dir.File("m.csv"), svg = dir.File("loss.svg");
        var run = Rnnk.Run(["train", .. Small, "--steps", "40", "--eval-every", "10", "--metrics", csv, "--plot", svg]);
        Assert.True(run.Code == 0, run.Err);
        string[] lines = File.ReadAllLines(csv);
        Assert.StartsWith("# cell=rnn hidden=24", lines[0], StringComparison.Ordinal);
        Assert.Equal("step,train_loss,val_loss,lr,chars_per_s,elapsed_s", lines[1]);
        double[][] rows = [.. lines.Skip(2).Select(l => l.Split(',').Select(f => f.Length == 0 ? double.NaN : double.Parse(f, CultureInfo.InvariantCulture)).ToArray())];
        Assert.Equal(40, rows.Length);

        XElement root = XElement.Load(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        XElement plot = root.Descendants(ns + "g").Single(g => (string?)g.Attribute("id") == "plot");
        double A(string name) => double.Parse((string)plot.Attribute(name)!, CultureInfo.InvariantCulture);
        (double x0, double x1, double y0, double y1) = (A("data-left"), A("data-right"), A("data-bottom"), A("data-top"));
        (double s0, double s1, double l0, double l1) = (A("data-step-min"), A("data-step-max"), A("data-loss-min"), A("data-loss-max"));
        (double Step, double Loss)[] Points(string id) =>
        [
            .. ((string)root.Descendants(ns + "polyline").Single(p => (string?)p.Attribute("id") == id).Attribute("points")!)
                .Split(' ').Select(p => p.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
                .Select(p => (s0 + ((p[0] - x0) / (x1 - x0) * (s1 - s0)), l0 + ((p[1] - y0) / (y1 - y0) * (l1 - l0)))),
        ];
        void Matches((double Step, double Loss)[] points, double[][] expected, int column)
        {
            Assert.Equal(expected.Length, points.Length);
            for (int i = 0; i < points.Length; i++)
            {
                Assert.Equal(expected[i][0], points[i].Step, 0.05);
                Assert.Equal(expected[i][column], points[i].Loss, 0.02 * (l1 - l0) / (y0 - y1) * 2);
            }
        }

        Matches(Points("train"), rows, 1);
        Matches(Points("val"), [.. rows.Where(r => !double.IsNaN(r[2]))], 2);
        Assert.Equal(4, rows.Count(r => !double.IsNaN(r[2])));
        Assert.Contains("cell=rnn hidden=24", root.Descendants(ns + "text").Single(t => (string?)t.Attribute("id") == "title").Value, StringComparison.Ordinal);
        Assert.Contains(root.Descendants(ns + "text"), t => t.Value == "validation loss");
        Assert.True(root.Descendants(ns + "text").Count(t => (string?)t.Attribute("class") == "step-label") >= 3);

        var again = Rnnk.Run("plot", "--metrics", csv, "--out", dir.File("again.svg"));
        Assert.True(again.Code == 0, again.Err);
        Assert.Equal(File.ReadAllText(svg), File.ReadAllText(dir.File("again.svg")));
        File.WriteAllText(dir.File("bad.csv"), "a,b\n1,2\n");
        Assert.Equal(2, Rnnk.Run("plot", "--metrics", dir.File("bad.csv"), "--out", dir.File("x.svg")).Code);
    }

    [Fact]
    public void TheScheduleDecaysTheRateAndRnnTakesANonlinearity()
    {
        using var dir = new TempDirectory();
        string csv = dir.File("m.csv");
        var run = Rnnk.Run(["train", .. Small, "--steps", "12", "--lr", "0.01", "--lr-decay", "0.5", "--lr-decay-every", "4", "--metrics", csv, "--val-fraction", "0"]);
        Assert.True(run.Code == 0, run.Err);
        float[] rates = [.. File.ReadAllLines(csv).Skip(2).Select(l => float.Parse(l.Split(',')[3], CultureInfo.InvariantCulture))];
        Assert.Equal([0.01f, 0.01f, 0.01f, 0.01f, 0.005f, 0.005f, 0.005f, 0.005f, 0.0025f, 0.0025f, 0.0025f, 0.0025f], rates);
        Assert.Equal("NaN", Rnnk.Field(run.Out, "val_loss"));
        var relu = Rnnk.Run(["train", .. Small, "--steps", "3", "--nonlinearity", "relu", "--save", dir.File("relu.safetensors")]);
        Assert.True(relu.Code == 0, relu.Err);
        Assert.Equal(Nonlinearity.Relu, ModelFile.Load(dir.File("relu.safetensors")).Model.Shape.Nonlinearity);
        Assert.Equal(2, Rnnk.Run(["train", .. Small, "--steps", "3", "--cell", "gru", "--nonlinearity", "relu"]).Code);
    }

    [Fact]
    public void ClipBoundsTheGradientOfTheMeanPerCharacterLoss()
    {
        // One SGD step moves the parameters by lr x the clipped gradient: with --clip 0.001 the step is 0.001 long,
        // and without clipping it is the mean-loss gradient's norm (order 1), not the summed loss's (order T*B).
        using var dir = new TempDirectory();
        double StepLength(string clip)
        {
            string model = dir.File($"m{clip}.safetensors");
            var run = Rnnk.Run(["train", .. Small, "--steps", "1", "--optimizer", "sgd", "--lr", "1", "--clip", clip, "--val-fraction", "0", "--save", model]);
            Assert.True(run.Code == 0, run.Err);
            RnnModel trained = ModelFile.Load(model).Model;
            var initial = new RnnModel(trained.Shape, seed: 1);
            return Math.Sqrt(trained.Parameters.Zip(initial.Parameters).Sum(p => (double)(p.First - p.Second) * (p.First - p.Second)));
        }

        Assert.Equal(0.001, StepLength("0.001"), 1e-6);
        double unclipped = StepLength("0");
        Assert.InRange(unclipped, 0.01, 10);
    }
}
