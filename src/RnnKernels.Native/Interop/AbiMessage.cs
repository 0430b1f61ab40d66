using System.Text;
using System.Text.RegularExpressions;

namespace RnnKernels.Native;

/// <summary>
/// An exception's message as a C caller should read it: one line, without .NET's "(Parameter 'x')" suffix or its
/// "Actual value was" second line, and with the library's parameter names replaced by the argument names of
/// rnnkernels.h (the engine's <c>inputs</c> is the ABI's <c>x</c>, <c>maxSteps</c> is <c>max_steps</c>).
/// </summary>
internal static partial class AbiMessage
{
    // Names whose ABI argument is not simply the snake_case of the .NET parameter.
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.Ordinal)
    {
        ["inputs"] = "x",
        ["initialState"] = "h0",
        ["initialCellState"] = "c0",
        ["outputGradient"] = "d_outputs",
        ["finalStateGradient"] = "dh_n",
        ["finalCellStateGradient"] = "dc_n",
        ["value"] = "probability",
        ["layers"] = "num_layers",
        ["degreeOfParallelism"] = "threads",
    };

    /// <summary>The message of <paramref name="exception"/> in the ABI's words, on one line.</summary>
    public static string Of(Exception exception)
    {
        string message = exception.Message;
        if (exception is ArgumentException argument && argument.ParamName is { Length: > 0 } name)
        {
            message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
            if (exception is ArgumentOutOfRangeException)
            {
                // The library's own messages and ThrowIfLessThan and friends state the value in the first line already.
                int actual = message.IndexOf("\nActual value was", StringComparison.Ordinal);
                message = actual < 0 ? message : message[..actual];
            }

            string abiName = AbiName(name);
            if (abiName != name)
            {
                message = Regex.Replace(message, $@"\b{Regex.Escape(name)}\b", abiName);
            }
        }

        return OneLine(message);
    }

    /// <summary>The rnnkernels.h name of a .NET parameter.</summary>
    public static string AbiName(string parameter)
    {
        if (Renamed.TryGetValue(parameter, out string? renamed))
        {
            return renamed;
        }

        var name = new StringBuilder(parameter.Length + 4);
        foreach (char c in parameter)
        {
            if (char.IsUpper(c) && name.Length > 0)
            {
                name.Append('_');
            }

            name.Append(char.ToLowerInvariant(c));
        }

        return name.ToString();
    }

    private static string OneLine(string message) => LineBreaks().Replace(message.Trim(), " ");

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex LineBreaks();
}
