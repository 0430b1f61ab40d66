namespace RnnKernels.Cli;

/// <summary>The --nonlinearity values the CLI accepts.</summary>
internal static class NonlinearityNames
{
    public static readonly IReadOnlyDictionary<string, Nonlinearity> All = new Dictionary<string, Nonlinearity>
    {
        ["tanh"] = Nonlinearity.Tanh,
        ["relu"] = Nonlinearity.Relu,
    };
}
