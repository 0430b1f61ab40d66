namespace RnnKernels.Cli;

/// <summary>Training produced non-finite values repeatedly and was stopped (exit code 1, nothing saved).</summary>
internal sealed class TrainingDivergedException(string message) : Exception(message);
