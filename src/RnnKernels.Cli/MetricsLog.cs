using System.Globalization;
using System.Text;
using RnnKernels.IO;

namespace RnnKernels.Cli;

/// <summary>One row of a training metrics file (validation loss NaN where the step had no evaluation).</summary>
internal readonly record struct MetricsRow(int Step, double TrainLoss, double ValLoss, double LearningRate, double CharsPerSecond, double ElapsedSeconds);

/// <summary>
/// The CSV a training run writes with <c>--metrics</c>: a first line <c># settings</c>, the header
/// <c>step,train_loss,val_loss,lr,chars_per_s,elapsed_s</c>, then one row per step (val_loss empty between
/// evaluations). A resumed run keeps the rows up to its checkpoint's step and appends after them.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    public const string Header = "step,train_loss,val_loss,lr,chars_per_s,elapsed_s";

    private readonly StreamWriter _writer;

    private MetricsLog(StreamWriter writer, double elapsedBefore) => (_writer, ElapsedBefore) = (writer, elapsedBefore);

    /// <summary>Seconds the run had trained before this process (from the kept rows of a resumed run).</summary>
    public double ElapsedBefore { get; }

    /// <summary>Starts the file, or continues it after <paramref name="keepThrough"/> steps of a resumed run (0: fresh).</summary>
    public static MetricsLog Open(string path, string settings, int keepThrough)
    {
        List<MetricsRow> kept = keepThrough > 0 && File.Exists(path) ? [.. Read(path).Rows.Where(r => r.Step <= keepThrough)] : [];
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            writer.WriteLine($"# {settings}");
            writer.WriteLine(Header);
            foreach (MetricsRow row in kept)
            {
                writer.WriteLine(Format(row));
            }
        });
        var append = new StreamWriter(path, append: true, new UTF8Encoding(false));
        return new MetricsLog(append, kept.Count > 0 ? kept[^1].ElapsedSeconds : 0);
    }

    /// <summary>Reads a metrics file: its settings line and rows, with an error naming the line that is wrong.</summary>
    public static (string Settings, List<MetricsRow> Rows) Read(string path)
    {
        string[] lines = File.ReadAllLines(path);
        int first = 0;
        string settings = "";
        if (lines.Length > 0 && lines[0].StartsWith('#'))
        {
            settings = lines[0][1..].Trim();
            first = 1;
        }

        if (lines.Length <= first || lines[first] != Header)
        {
            throw new InvalidDataException($"{path}: not a metrics file written by rnnk train (expected the header '{Header}')");
        }

        var rows = new List<MetricsRow>();
        for (int i = first + 1; i < lines.Length; i++)
        {
            if (lines[i].Length > 0)
            {
                rows.Add(Parse(path, i + 1, lines[i]));
            }
        }

        return (settings, rows);
    }

    public void Add(MetricsRow row) => _writer.WriteLine(Format(row));

    /// <summary>Pushes the rows written so far to the file (at evaluations, checkpoints and the end).</summary>
    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();

    private static string Format(MetricsRow r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Step},{r.TrainLoss:R},{(double.IsNaN(r.ValLoss) ? "" : r.ValLoss.ToString("R", CultureInfo.InvariantCulture))},{(float)r.LearningRate:R},{r.CharsPerSecond:F0},{r.ElapsedSeconds:F3}");

    private static MetricsRow Parse(string path, int lineNumber, string line)
    {
        string[] f = line.Split(',');
        double Number(int i, bool emptyIsNaN = false)
        {
            if (emptyIsNaN && f[i].Length == 0)
            {
                return double.NaN;
            }

            return double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : throw Bad();
        }

        Exception Bad() => new InvalidDataException($"{path}: line {lineNumber} is not a metrics row ({Header}): '{line}'");
        if (f.Length != 6 || !int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int step))
        {
            throw Bad();
        }

        return new MetricsRow(step, Number(1), Number(2, emptyIsNaN: true), Number(3), Number(4), Number(5));
    }
}
