using System.Globalization;
using RnnKernels.Kernels;
using RnnKernels.Cli.Text;

namespace RnnKernels.Cli;

/// <summary><c>rnnk eval</c>: scores a character model on a text (mean loss per predicted character).</summary>
internal static class EvalCommand
{
    private const string Help = """
        rnnk eval --model PATH --text FILE [--seq 64] [--batch 32] [--threads N]

          Predicts every character of FILE from the ones before it (forward passes only; B streams read side by
          side in chunks of --seq, the state carried between chunks) and prints
            eval chars=N loss=X bits_per_char=Y perplexity=Z   (loss in nats per character)
          Every character of the text must be in the model's vocabulary.
        """;

    public static int Run(string[] args, TextWriter output)
    {
        if (HelpText.Requested(args, output, Help))
        {
            return CliApp.Ok;
        }

        var options = new CliArguments(args, new HashSet<string>());
        string path = options.RequiredString("model");
        string textPath = options.RequiredString("text");
        int seq = options.Int("seq", 64, 1, 10_000);
        int batch = options.Int("batch", 32, 1, 1024);
        int threads = options.Int("threads", Environment.ProcessorCount, 1, 256);
        options.EnsureAllUsed("eval");

        (RnnModel model, CharVocabulary vocabulary) = TrainCommand.LoadCharacterModel(path, "it cannot score text left to right");

        string text = TrainCommand.ReadText(textPath);
        if (vocabulary.FirstMissing(text) is { } rune)
        {
            throw new UsageException($"--text {textPath} holds '{rune}' (U+{rune.Value:X4}), which is not in the vocabulary of {path}");
        }

        int[] encoded = vocabulary.Encode(text);
        if (encoded.Length < 2)
        {
            throw new UsageException($"--text {textPath} has {encoded.Length} character; scoring needs at least two (the first only predicts the second)");
        }

        using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
        using var scorer = new TextScorer(model, seq, batch, pool);
        (double loss, long characters) = scorer.Score(encoded);
        double mean = loss / characters;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"eval chars={characters} loss={mean:F4} bits_per_char={mean / Math.Log(2):F4} perplexity={Math.Exp(mean):F4}"));
        return CliApp.Ok;
    }
}
