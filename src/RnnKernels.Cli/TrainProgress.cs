namespace RnnKernels.Cli;

/// <summary>
/// Training progress: a live line rewritten in place on a terminal, plain periodic lines when output is redirected;
/// and the loss at the start and end of the run (mean per-character loss over the first and last steps).
/// </summary>
internal sealed class TrainProgress
{
    private readonly TextWriter _output;
    private readonly int _total;
    private readonly int _charsPerStep;
    private readonly bool _live;
    private readonly int _window;
    private readonly int _startStep;
    private readonly Queue<double> _recent = new();
    private double _startSum;
    private int _startCount;
    private double _smoothed = double.NaN;
    private TimeSpan _lastDraw = TimeSpan.MinValue;

    public TrainProgress(TextWriter output, int totalSteps, int charsPerStep, int startStep = 0)
    {
        _startStep = startStep;
        _output = output;
        _total = totalSteps;
        _charsPerStep = charsPerStep;
        _live = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        _window = Math.Clamp(totalSteps / 10, 1, 20);
    }

    /// <summary>
    /// Steps averaged into <see cref="LossStart"/> and <see cref="LossEnd"/> (a tenth of the run, 1 to 20): the final
    /// line prints it, so its loss_start is not mistaken for the first step's loss (which the first progress line shows).
    /// </summary>
    public int Window => _window;

    /// <summary>Mean loss per character over the first <see cref="Window"/> steps.</summary>
    public double LossStart => _startCount == 0 ? double.NaN : _startSum / _startCount;

    /// <summary>Mean loss per character over the last <see cref="Window"/> steps run.</summary>
    public double LossEnd => _recent.Count == 0 ? double.NaN : _recent.Average();

    /// <summary>Steps reported by this process (a resumed run counts from its checkpoint).</summary>
    public int Steps { get; private set; }

    /// <summary>Characters trained per second by this process up to <paramref name="step"/>.</summary>
    public double CharsPerSecond(int step, TimeSpan elapsed) => (step - _startStep) * (double)_charsPerStep / Math.Max(elapsed.TotalSeconds, 1e-9);

    public void Report(int step, double lossPerChar, TimeSpan elapsed)
    {
        if (_startCount < _window)
        {
            _startSum += lossPerChar;
            _startCount++;
        }

        _recent.Enqueue(lossPerChar);
        if (_recent.Count > _window)
        {
            _recent.Dequeue();
        }

        Steps = step - _startStep;
        _smoothed = double.IsNaN(_smoothed) ? lossPerChar : (0.95 * _smoothed) + (0.05 * lossPerChar);
        double charsPerSecond = CharsPerSecond(step, elapsed);
        double eta = (_total - step) * elapsed.TotalSeconds / Steps;
        string line = $"step {step}/{_total} loss {lossPerChar:F4} smoothed {_smoothed:F4} chars/s {charsPerSecond:F0} eta {eta:F0}s";
        if (_live)
        {
            if (elapsed - _lastDraw >= TimeSpan.FromMilliseconds(100) || step == _total)
            {
                _output.Write($"\r{line}\u001b[K");
                _lastDraw = elapsed;
            }
        }
        else if (step % Math.Max(1, _total / 10) == 0 || step == 1)
        {
            _output.WriteLine(line);
        }
    }

    /// <summary>The held-out loss measured after <paramref name="step"/> steps.</summary>
    public void Validation(int step, double loss)
    {
        if (_live)
        {
            _output.WriteLine();
        }

        _output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"step {step}/{_total} val_loss {loss:F4}"));
    }

    public void Sample(int step, string text)
    {
        if (_live)
        {
            _output.WriteLine();
        }

        _output.WriteLine($"--- sample at step {step} ---");
        _output.WriteLine(text.TrimEnd());
        _output.WriteLine("---");
    }

    public void Finish()
    {
        if (_live)
        {
            _output.WriteLine();
        }
    }
}
