namespace RnnKernels.Cli;

/// <summary>
/// Dispatches <c>rnnk COMMAND [options]</c>. Exit codes: 0 success, 2 bad arguments or input, 1 internal failure
/// (or a failed check, or diverged training), 130 when train was interrupted by Ctrl+C (after saving). Errors are
/// one line on stderr; <c>--verbose</c> adds the stack trace.
/// </summary>
internal static class CliApp
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
    public const int Interrupted = 130;

    private const string Usage = """
        rnnk: train and run Elman, LSTM and GRU networks on the CPU.

        usage: rnnk COMMAND [options]   (add --verbose for stack traces on errors)

          train      train a character-level model (default corpus built in; --text FILE for your own)
          sample     generate text from a saved model
          eval       score a saved model on a text (loss, bits per character, perplexity)
          plot       draw the loss curves of a training metrics file as SVG
          export     write a model as ONNX (for ONNX Runtime and other runtimes)
          bench      time full training steps at preset or explicit sizes
          grad       one forward and backward on a model and data file; write loss, h_n and gradients
          gradcheck  check analytic gradients against finite differences

        Run 'rnnk COMMAND --help' for the options of one command.
        """;

    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancel = default)
    {
        bool verbose = args.Contains("--verbose");
        string[] rest = [.. args.Where(a => a != "--verbose")];
        if (rest.Length == 0 || rest[0] is "help" or "--help" or "-h")
        {
            output.WriteLine(Usage);
            return rest.Length == 0 ? BadInput : Ok;
        }

        try
        {
            return rest[0] switch
            {
                "train" => TrainCommand.Run(rest[1..], output, cancel),
                "sample" => SampleCommand.Run(rest[1..], output),
                "eval" => EvalCommand.Run(rest[1..], output),
                "plot" => PlotCommand.Run(rest[1..], output),
                "export" => ExportCommand.Run(rest[1..], output),
                "bench" => BenchCommand.Run(rest[1..], output),
                "grad" => GradCommand.Run(rest[1..], output),
                "gradcheck" => GradCheckCommand.Run(rest[1..], output),
                _ => throw new UsageException($"unknown command '{rest[0]}' (commands: train, sample, eval, plot, export, bench, grad, gradcheck)"),
            };
        }
        catch (TrainingDivergedException e)
        {
            Report(error, e.Message, e, verbose);
            return Failure;
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Report(error, e.Message, e, verbose);
            return BadInput;
        }
        catch (Exception e)
        {
            Report(error, $"internal error: {e.Message}", e, verbose);
            return Failure;
        }
    }

    // Exit 2 only for what the CLI itself validated (UsageException) and for the user's files: unreadable, missing,
    // or not what they claim to be (the loaders' InvalidDataException names the file and the tensor). An
    // ArgumentException from the library means the CLI passed something it should have checked: a bug, so exit 1.
    internal static bool IsBadInput(Exception e) =>
        e is UsageException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
            or UnauthorizedAccessException or PathTooLongException;

    private static void Report(TextWriter error, string message, Exception e, bool verbose)
    {
        error.WriteLine($"rnnk: {message.ReplaceLineEndings(" ")}");
        if (verbose)
        {
            error.WriteLine(e.ToString());
        }
    }
}
