namespace RnnKernels.Cli;

/// <summary>The --cell values the CLI accepts, named as model files name them.</summary>
internal static class CellNames
{
    public static readonly IReadOnlyDictionary<string, CellKind> All = new Dictionary<string, CellKind>
    {
        ["rnn"] = CellKind.Rnn,
        ["lstm"] = CellKind.Lstm,
        ["gru"] = CellKind.Gru,
    };
}
