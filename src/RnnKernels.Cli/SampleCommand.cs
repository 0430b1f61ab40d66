namespace RnnKernels.Cli;

/// <summary><c>rnnk sample</c>: generates text from a saved character model.</summary>
internal static class SampleCommand
{
    public static int Run(string[] args, TextWriter output) =>
        throw new UsageException("sample is not available yet");
}
