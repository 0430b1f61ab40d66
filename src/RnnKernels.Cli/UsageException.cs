namespace RnnKernels.Cli;

/// <summary>Bad arguments or bad input: reported as one line on stderr with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
