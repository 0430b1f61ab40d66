namespace RnnKernels.Cli;

/// <summary>The --loss values the CLI accepts.</summary>
internal static class LossNames
{
    public static readonly IReadOnlyDictionary<string, LossKind> All = new Dictionary<string, LossKind>
    {
        ["cross-entropy"] = LossKind.CrossEntropy,
        ["mse"] = LossKind.SquaredError,
    };
}
