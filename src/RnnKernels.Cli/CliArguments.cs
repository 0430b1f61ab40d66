using System.Globalization;

namespace RnnKernels.Cli;

/// <summary>
/// The options of one command, <c>--name value</c> or <c>--flag</c>. Every getter validates and names the option
/// in its error; <see cref="EnsureAllUsed"/> rejects options the command does not know.
/// </summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public CliArguments(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        using IEnumerator<string> e = args.GetEnumerator();
        while (e.MoveNext())
        {
            string arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"unexpected argument '{arg}' (options are written --name value)");
            }

            string name = arg[2..];
            if (_values.ContainsKey(name))
            {
                throw new UsageException($"option --{name} is given twice");
            }

            if (flags.Contains(name))
            {
                _values[name] = null;
                continue;
            }

            if (!e.MoveNext())
            {
                throw new UsageException($"option --{name} needs a value");
            }

            _values[name] = e.Current;
        }
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _values.ContainsKey(name);
    }

    public string? String(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out string? value) ? value : null;
    }

    public string RequiredString(string name) => String(name) ?? throw new UsageException($"option --{name} is required");

    /// <summary>
    /// A file the command will write, or null when not given: refused up front if it names a folder or its folder
    /// does not exist, rather than when it is first written (after training, for some).
    /// </summary>
    public string? OutputFile(string name)
    {
        string? file = String(name);
        if (file is null)
        {
            return null;
        }

        if (Directory.Exists(file))
        {
            throw new UsageException($"--{name} {file} is a directory; give a file path");
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(file));
        return folder is null || Directory.Exists(folder) ? file : throw new UsageException($"--{name} {file}: the folder {folder} does not exist");
    }

    /// <summary><see cref="OutputFile"/> for an option that must be given.</summary>
    public string RequiredOutputFile(string name) => OutputFile(name) ?? throw new UsageException($"option --{name} is required");

    public int Int(string name, int fallback, int min, int max)
    {
        string? text = String(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be an integer in {min}..{max}, got '{text}'");
        }

        return value;
    }

    public float Float(string name, float fallback, float min, float max, bool minExclusive = false)
    {
        string? text = String(name);
        if (text is null)
        {
            return fallback;
        }

        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value)
            || (minExclusive ? value <= min : value < min) || value > max)
        {
            string range = minExclusive ? $"({min}, {max}]" : $"[{min}, {max}]";
            throw new UsageException($"--{name} must be a number in {range}, got '{text}'");
        }

        return value;
    }

    public T Choice<T>(string name, T fallback, IReadOnlyDictionary<string, T> choices)
    {
        string? text = String(name);
        if (text is null)
        {
            return fallback;
        }

        return choices.TryGetValue(text, out T? value)
            ? value
            : throw new UsageException($"--{name} must be one of {string.Join(", ", choices.Keys)}, got '{text}'");
    }

    public void EnsureAllUsed(string command)
    {
        string? unknown = _values.Keys.FirstOrDefault(k => !_used.Contains(k));
        if (unknown is not null)
        {
            throw new UsageException($"unknown option --{unknown} for '{command}' (see rnnk help)");
        }
    }
}
