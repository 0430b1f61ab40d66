namespace RnnKernels.Cli;

/// <summary><c>rnnk train</c>: trains a character-level model.</summary>
internal static class TrainCommand
{
    public static int Run(string[] args, TextWriter output, CancellationToken cancel) =>
        throw new UsageException("train is not available yet");
}
