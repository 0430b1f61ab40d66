namespace RnnKernels.Native;

/// <summary>A handle that is null, freed, never issued, or of another kind than the call expects.</summary>
internal sealed class InvalidHandleException(string message) : Exception(message);
