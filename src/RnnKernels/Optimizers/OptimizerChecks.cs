namespace RnnKernels.Optimizers;

/// <summary>Argument checks shared by the optimizers.</summary>
internal static class OptimizerChecks
{
    public static void Sizes(int length, ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != length || gradients.Length != length)
        {
            throw new ArgumentException(
                $"parameters ({parameters.Length}) and gradients ({gradients.Length}) must both hold the {length} values this optimizer was built for.",
                nameof(parameters));
        }
    }

    public static void Positive(float value, string name)
    {
        if (!(value > 0) || !float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");
        }
    }

    public static void Fraction(float value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");
        }
    }
}
