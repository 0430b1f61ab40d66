using RnnKernels.Cli;

namespace RnnKernels.Cli.Tests;

/// <summary>Runs the CLI in-process and captures what it printed.</summary>
internal static class Rnnk
{
    public static (int Code, string Out, string Err) Run(params string[] args) => Run(CancellationToken.None, args);

    public static (int Code, string Out, string Err) Run(CancellationToken cancel, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error, cancel);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Value of key=value in the last line that has it.</summary>
    public static string Field(string output, string key)
    {
        string line = output.Split('\n').Last(l => l.Contains($"{key}=", StringComparison.Ordinal));
        string rest = line[(line.IndexOf($"{key}=", StringComparison.Ordinal) + key.Length + 1)..];
        int end = rest.IndexOf(' ', StringComparison.Ordinal);
        return (end < 0 ? rest : rest[..end]).Trim();
    }
}
