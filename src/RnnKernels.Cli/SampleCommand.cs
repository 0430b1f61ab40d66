using RnnKernels.Cli.Text;

namespace RnnKernels.Cli;

/// <summary><c>rnnk sample</c>: generates text from a character model saved by <c>rnnk train</c>.</summary>
internal static class SampleCommand
{
    private const string Help = """
        rnnk sample --model PATH [--length 400] [--temperature 0.8] [--seed 1] [--prime TEXT]

          --prime   text to start from (default: a newline); every character must be in the model's vocabulary
        """;

    public static int Run(string[] args, TextWriter output)
    {
        if (HelpText.Requested(args, output, Help))
        {
            return CliApp.Ok;
        }

        var options = new CliArguments(args, new HashSet<string>());
        string path = options.RequiredString("model");
        int length = options.Int("length", 400, 0, 10_000_000);
        float temperature = options.Float("temperature", 0.8f, 0f, 100f, minExclusive: true);
        int seed = options.Int("seed", 1, 0, int.MaxValue);
        string? prime = options.String("prime");
        options.EnsureAllUsed("sample");

        (RnnModel model, CharVocabulary vocabulary) = TrainCommand.LoadCharacterModel(path, "it cannot generate text left to right");
        prime ??= vocabulary.DefaultPrime;
        if (prime.Length == 0)
        {
            throw new UsageException("--prime must hold at least one character");
        }

        if (vocabulary.FirstMissing(prime) is { } rune)
        {
            throw new UsageException($"--prime holds '{rune}', which is not in the model's vocabulary");
        }

        string text = new TextSampler(model, vocabulary).Generate(prime, length, temperature, seed);
        output.Write(prime);
        output.WriteLine(text);
        return CliApp.Ok;
    }
}
