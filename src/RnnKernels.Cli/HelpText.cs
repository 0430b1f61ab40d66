namespace RnnKernels.Cli;

/// <summary>Prints a command's help when <c>--help</c> is its only argument.</summary>
internal static class HelpText
{
    public static bool Requested(string[] args, TextWriter output, string text)
    {
        if (args is ["--help"] or ["-h"])
        {
            output.WriteLine(text);
            return true;
        }

        return false;
    }
}
