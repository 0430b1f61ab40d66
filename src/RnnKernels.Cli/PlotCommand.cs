namespace RnnKernels.Cli;

/// <summary><c>rnnk plot</c>: draws the loss curves of a metrics file as SVG.</summary>
internal static class PlotCommand
{
    private const string Help = """
        rnnk plot --metrics PATH --out FILE.svg

          Draws the training and validation loss of a metrics file written by 'rnnk train --metrics' (it may still
          be running) as a self-contained SVG: axes with ticks and labels, a legend, the run's settings in the title.
        """;

    public static int Run(string[] args, TextWriter output)
    {
        if (HelpText.Requested(args, output, Help))
        {
            return CliApp.Ok;
        }

        var options = new CliArguments(args, new HashSet<string>());
        string metrics = options.RequiredString("metrics");
        string svg = options.RequiredOutputFile("out");
        options.EnsureAllUsed("plot");

        (string settings, List<MetricsRow> rows) = MetricsLog.Read(metrics);
        LossPlot.Write(svg, settings, rows);
        output.WriteLine($"plot rows={rows.Count} out={svg}");
        return CliApp.Ok;
    }
}
