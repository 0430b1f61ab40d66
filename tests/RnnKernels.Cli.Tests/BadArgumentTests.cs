namespace RnnKernels.Cli.Tests;

/// <summary>Every option's bad values: exit code 2, one line on stderr naming the problem, no stack trace.</summary>
public sealed class BadArgumentTests
{
    public static TheoryData<string[], string> Cases => new()
    {
        { [], "" },
        { ["fly"], "unknown command 'fly'" },
        { ["train", "--hidden", "0"], "--hidden must be an integer in 1..4096" },
        { ["train", "--hidden", "abc"], "--hidden must be an integer" },
        { ["train", "--layers", "9"], "--layers must be an integer in 1..8" },
        { ["train", "--seq", "-1"], "--seq must be an integer" },
        { ["train", "--batch", "0"], "--batch must be an integer" },
        { ["train", "--steps", "0"], "--steps must be an integer" },
        { ["train", "--lr", "0"], "--lr must be a number in (0, 10]" },
        { ["train", "--lr", "NaN"], "--lr must be a number" },
        { ["train", "--optimizer", "rmsprop"], "--optimizer must be one of adam, adagrad, sgd" },
        { ["train", "--clip", "-1"], "--clip must be a number" },
        { ["train", "--seed", "-3"], "--seed must be an integer" },
        { ["train", "--threads", "0"], "--threads must be an integer" },
        { ["train", "--sample-every", "-1"], "--sample-every must be an integer" },
        { ["train", "--text", "/nonexistent/corpus.txt", "--steps", "1"], "corpus.txt" },
        { ["train", "--resume", "/nonexistent/m.safetensors"], "m.safetensors" },
        { ["train", "--cell", "transformer"], "--cell must be one of rnn, lstm, gru" },
        { ["bench", "--cell", "elman"], "--cell must be one of rnn, lstm, gru" },
        { ["gradcheck", "--cell", "lstm", "--nonlinearity", "relu"], "--nonlinearity applies to --cell rnn only" },
        { ["train", "--save", "/tmp"], "--save /tmp is a directory" },
        { ["train", "--save", "/nonexistent/dir/m.safetensors"], "--save /nonexistent/dir/m.safetensors: the folder /nonexistent/dir does not exist" },
        { ["train", "--checkpoint", "/nonexistent/c.safetensors"], "the folder /nonexistent does not exist" },
        { ["train", "--metrics", "/nonexistent/m.csv"], "the folder /nonexistent does not exist" },
        { ["train", "--val-fraction", "0.7"], "--val-fraction must be a number in [0, 0.5]" },
        { ["train", "--save", "run.safetensors", "--checkpoint", "run.safetensors"], "--save and --checkpoint name the same file" },
        { ["train", "--lr-decay", "0.5"], "--lr-decay needs --lr-decay-every N" },
        { ["train", "--dropout", "0.2"], "--dropout applies between stacked layers" },
        { ["train", "--cell", "lstm", "--nonlinearity", "relu"], "--nonlinearity applies to --cell rnn" },
        { ["train", "--plot", "loss.svg"], "--plot draws the metrics of the run: give --metrics PATH too" },
        { ["eval", "--model", "m"], "option --text is required" },
        { ["eval", "--model", "/nonexistent/m.safetensors", "--text", "t"], "m.safetensors" },
        { ["plot", "--metrics", "/nonexistent/m.csv", "--out", "x.svg"], "m.csv" },
        { ["plot", "--metrics", "m.csv", "--out", "/nonexistent/x.svg"], "the folder /nonexistent does not exist" },
        { ["train", "--bogus", "1"], "unknown option --bogus for 'train'" },
        { ["train", "--hidden"], "option --hidden needs a value" },
        { ["train", "--hidden", "8", "--hidden", "9"], "option --hidden is given twice" },
        { ["train", "stray"], "unexpected argument 'stray'" },
        { ["sample"], "option --model is required" },
        { ["sample", "--model", "m", "--length", "-5"], "--length must be an integer" },
        { ["sample", "--model", "m", "--temperature", "0"], "--temperature must be a number" },
        { ["sample", "--model", "/nonexistent/m.safetensors"], "m.safetensors" },
        { ["bench", "--preset", "huge"], "--preset must be one of charrnn" },
        { ["bench", "--preset", "charrnn", "--hidden", "8"], "give either --preset or explicit sizes" },
        { ["bench", "--seconds", "0"], "--seconds must be a number" },
        { ["bench", "--threads", "0"], "--threads must be an integer" },
        { ["grad", "--model", "m", "--data", "d"], "option --out is required" },
        { ["grad", "--model", "m", "--data", "d", "--out", "o", "--loss", "hinge"], "--loss must be one of cross-entropy, mse" },
        { ["gradcheck", "--layers", "0"], "--layers must be an integer" },
        { ["gradcheck", "--nonlinearity", "sigmoid"], "--nonlinearity must be one of tanh, relu" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExitTwoWithOneLineNamingTheProblem(string[] args, string fragment)
    {
        (int code, _, string error) = Rnnk.Run(args);
        Assert.Equal(2, code);
        if (args.Length > 0)
        {
            string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            Assert.StartsWith("rnnk: ", lines[0], StringComparison.Ordinal);
            Assert.Contains(fragment, lines[0], StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        (int code, _, string error) = Rnnk.Run("sample", "--model", "/nonexistent/m.safetensors", "--verbose");
        Assert.Equal(2, code);
        Assert.Contains("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyValidatedInputAndTheUsersFilesAreBadInputALibraryArgumentErrorIsInternal()
    {
        Assert.True(CliApp.IsBadInput(new UsageException("--x must be ...")));
        Assert.True(CliApp.IsBadInput(new InvalidDataException("m.safetensors: ...")));
        Assert.True(CliApp.IsBadInput(new FileNotFoundException("m.safetensors")));
        // An ArgumentException reaching the top means the CLI passed the library something it should have checked.
        Assert.False(CliApp.IsBadInput(new ArgumentException("x", "y")));
        Assert.False(CliApp.IsBadInput(new ArgumentOutOfRangeException("y")));
        Assert.False(CliApp.IsBadInput(new InvalidOperationException()));
    }
}
