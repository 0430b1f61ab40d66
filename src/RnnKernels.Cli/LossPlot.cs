using System.Globalization;
using System.Security;
using System.Text;
using RnnKernels.IO;

namespace RnnKernels.Cli;

/// <summary>
/// The training and validation loss curves of a metrics file as a self-contained SVG: axes with ticks and labels, a
/// legend, the run's settings in the title. The plot area carries its data ranges (<c>data-step-min</c> and so on)
/// so a reader can map every point back to a (step, loss) pair.
/// </summary>
internal static class LossPlot
{
    private const double Width = 800, Height = 500, Left = 80, Right = 30, Top = 60, Bottom = 60;

    // More points than pixels across only makes the file larger: longer runs plot every k-th training row.
    private const int MaxTrainPoints = 2000;

    public static void Write(string path, string settings, IReadOnlyList<MetricsRow> rows) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            writer.Write(Svg(settings, rows));
        });

    public static string Svg(string settings, IReadOnlyList<MetricsRow> rows)
    {
        if (rows.Count == 0)
        {
            throw new UsageException("the metrics file has no rows to plot yet");
        }

        List<MetricsRow> train = TrainPoints(rows);
        List<MetricsRow> val = [.. rows.Where(r => double.IsFinite(r.ValLoss))];
        double stepMin = rows[0].Step, stepMax = Math.Max(rows[^1].Step, stepMin + 1);
        double[] losses = [.. train.Select(r => r.TrainLoss).Concat(val.Select(r => r.ValLoss)).Where(double.IsFinite)];
        (double lossMin, double lossMax, double lossTick) = Axis(losses.Length == 0 ? 0 : losses.Min(), losses.Length == 0 ? 1 : losses.Max());
        (_, _, double stepTick) = Axis(stepMin, stepMax);
        double X(double step) => Left + ((step - stepMin) / (stepMax - stepMin) * (Width - Left - Right));
        double Y(double loss) => Height - Bottom - ((loss - lossMin) / (lossMax - lossMin) * (Height - Top - Bottom));

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{Height}" fill="white"/>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<text id="title" x="{Width / 2}" y="24" text-anchor="middle" font-size="14">rnnk train: {Escape(settings)}</text>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture,
            $"""<g id="plot" data-step-min="{stepMin}" data-step-max="{stepMax}" data-loss-min="{lossMin:R}" data-loss-max="{lossMax:R}" data-left="{Left}" data-right="{Width - Right}" data-top="{Top}" data-bottom="{Height - Bottom}">""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{Height - Bottom}" x2="{Width - Right}" y2="{Height - Bottom}" stroke="black"/>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{Top}" x2="{Left}" y2="{Height - Bottom}" stroke="black"/>""").Append('\n');
        for (double s = Math.Ceiling(stepMin / stepTick) * stepTick; s <= stepMax + 1e-9; s += stepTick)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<line class="tick" x1="{X(s):F2}" y1="{Height - Bottom}" x2="{X(s):F2}" y2="{Height - Bottom + 5}" stroke="black"/><text class="step-label" x="{X(s):F2}" y="{Height - Bottom + 20}" text-anchor="middle">{s:G6}</text>""").Append('\n');
        }

        for (double l = lossMin; l <= lossMax + (lossTick / 1e6); l += lossTick)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<line class="tick" x1="{Left - 5}" y1="{Y(l):F2}" x2="{Width - Right}" y2="{Y(l):F2}" stroke="#ddd"/><text class="loss-label" x="{Left - 8}" y="{Y(l) + 4:F2}" text-anchor="end">{l:G4}</text>""").Append('\n');
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{(Left + Width - Right) / 2}" y="{Height - 15}" text-anchor="middle">step</text>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="20" y="{(Top + Height - Bottom) / 2}" text-anchor="middle" transform="rotate(-90 20 {(Top + Height - Bottom) / 2})">loss (nats/char)</text>""").Append('\n');
        svg.Append(Polyline("train", "#1f77b4", train.Where(r => double.IsFinite(r.TrainLoss)).Select(r => (X(r.Step), Y(r.TrainLoss)))));
        svg.Append(Polyline("val", "#ff7f0e", val.Select(r => (X(r.Step), Y(r.ValLoss)))));
        foreach (MetricsRow r in val)
        {
            // A dot per evaluation, so a run with one evaluation still shows it.
            svg.Append(CultureInfo.InvariantCulture, $"""<circle class="val-point" cx="{X(r.Step):F2}" cy="{Y(r.ValLoss):F2}" r="3" fill="#ff7f0e"/>""").Append('\n');
        }

        svg.Append("</g>\n");
        double legendX = Width - Right - 170;
        svg.Append(CultureInfo.InvariantCulture, $"""<g id="legend"><rect x="{legendX}" y="{Top + 5}" width="160" height="46" fill="white" stroke="#999"/>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{legendX + 10}" y1="{Top + 20}" x2="{legendX + 40}" y2="{Top + 20}" stroke="#1f77b4" stroke-width="2"/><text x="{legendX + 48}" y="{Top + 24}">training loss</text>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{legendX + 10}" y1="{Top + 40}" x2="{legendX + 40}" y2="{Top + 40}" stroke="#ff7f0e" stroke-width="2"/><text x="{legendX + 48}" y="{Top + 44}">validation loss</text></g>""").Append('\n');
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Every training row, or every k-th (and the last) when there are more than <see cref="MaxTrainPoints"/>.</summary>
    private static List<MetricsRow> TrainPoints(IReadOnlyList<MetricsRow> rows)
    {
        int stride = (rows.Count + MaxTrainPoints - 1) / MaxTrainPoints;
        List<MetricsRow> points = [.. rows.Where((_, i) => i % stride == 0)];
        if (points[^1] != rows[^1])
        {
            points.Add(rows[^1]);
        }

        return points;
    }

    /// <summary>A range covering [min, max] in whole ticks of 1, 2 or 5 times a power of ten, about five of them.</summary>
    private static (double Min, double Max, double Tick) Axis(double min, double max)
    {
        if (max <= min)
        {
            max = min + 1;
        }

        double raw = (max - min) / 5, power = Math.Pow(10, Math.Floor(Math.Log10(raw))), fraction = raw / power;
        double tick = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
        return (Math.Floor(min / tick) * tick, Math.Ceiling(max / tick) * tick, tick);
    }

    private static string Polyline(string id, string color, IEnumerable<(double X, double Y)> points)
    {
        string coordinates = string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:F2},{p.Y:F2}")));
        return $"""<polyline id="{id}" fill="none" stroke="{color}" stroke-width="1.5" points="{coordinates}"/>""" + "\n";
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
