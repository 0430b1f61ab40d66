namespace RnnKernels;

/// <summary>What one training step did.</summary>
/// <param name="Loss">Summed loss of the batch before the update.</param>
/// <param name="GradientNorm">Global L2 norm of the gradients before clipping.</param>
/// <param name="Applied">False when the loss or a gradient was not finite and the update was skipped.</param>
public readonly record struct TrainStepResult(double Loss, double GradientNorm, bool Applied);
