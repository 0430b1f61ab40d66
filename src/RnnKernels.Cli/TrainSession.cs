using System.Diagnostics;
using System.Globalization;
using RnnKernels.IO;
using RnnKernels.Kernels;
using RnnKernels.Optimizers;
using RnnKernels.Cli.Text;

namespace RnnKernels.Cli;

/// <summary>
/// One run of <c>rnnk train</c> once its model, optimizer and text are settled: the training loop over the text's
/// head, and around each step what the run reports and keeps (held-out score, metrics row, checkpoints, samples);
/// then the end of the run (checkpoint on interruption, plot, saved model).
/// </summary>
internal sealed class TrainSession : IDisposable
{
    private const int GiveUpAfterNonFiniteSteps = 5;

    private readonly TrainOptions _options;
    private readonly RnnModel _model;
    private readonly CharVocabulary _vocabulary;
    private readonly IOptimizer _optimizer;
    private readonly TrainRunState _run;
    private readonly string _text;
    private readonly int[] _validation;
    private readonly CharStreams _streams;
    private readonly WorkerPool? _pool;
    private readonly RnnEngine _engine;
    private readonly Trainer _trainer;
    private readonly TextScorer? _scorer;
    private readonly MetricsLog? _metrics;
    private readonly TrainProgress _progress;
    private readonly TextWriter _output;
    private readonly Stopwatch _clock = new();
    private readonly int _charsPerStep;

    public TrainSession(
        TrainOptions options, RnnModel model, CharVocabulary vocabulary, IOptimizer optimizer, TrainRunState run, string text, TextWriter output)
    {
        (_options, _model, _vocabulary, _optimizer, _run, _text, _output) = (options, model, vocabulary, optimizer, run, text, output);
        int[] encoded = vocabulary.Encode(text);
        int heldOut = (int)(encoded.Length * options.ValFraction);
        _validation = encoded[^heldOut..];
        _streams = TrainingStreams(encoded[..^heldOut], vocabulary.Count, options);
        _streams.Position = run.Position;
        _pool = options.Threads > 1 ? new WorkerPool(options.Threads) : null;
        _engine = new RnnEngine(model, options.Steps, options.Batch, _pool) { Dropout = options.Dropout, DropoutSeed = (ulong)options.Seed };
        _charsPerStep = options.Steps * options.Batch;
        // The gradient of the mean per-character loss, as loss.mean() gives PyTorch users: --clip bounds its norm.
        _trainer = new Trainer(_engine, optimizer, options.Clip, gradientScale: 1f / _charsPerStep);
        _scorer = _validation.Length > 1 ? new TextScorer(model, options.Steps, options.Batch, _pool) : null;
        _metrics = options.MetricsPath is null ? null
            : MetricsLog.Open(options.MetricsPath, options.Settings(model.Shape.Cell, model.Shape.HiddenSize, model.Shape.Layers), run.Step);
        _progress = new TrainProgress(output, options.TrainingSteps, _charsPerStep, run.Step);
    }

    /// <summary>The held-out loss of the last evaluation (NaN before the first).</summary>
    public double ValidationLoss { get; private set; } = double.NaN;

    /// <summary>Trains until --steps or cancellation; true when cancelled.</summary>
    public bool Train(CancellationToken cancel)
    {
        int nonFinite = 0;
        _clock.Start();
        while (_run.Step < _options.TrainingSteps)
        {
            if (cancel.IsCancellationRequested)
            {
                return true;
            }

            if (_streams.Next())
            {
                Array.Clear(_run.State); // The streams wrapped to the start of the text: no state carries over.
                Array.Clear(_run.CellState);
            }

            _optimizer.LearningRate = _options.LearningRateAt(_run.Step);
            _engine.DropoutPass = _run.Step; // Step N's masks are the same whether or not the run was stopped before it.
            TrainStepResult result = _trainer.Step(_streams.Inputs, _options.Steps, _options.Batch, _streams.Targets, _run.State, initialCellState: _run.CellState);
            if (!result.Applied)
            {
                // A non-finite loss or gradient never reaches the weights; the state is reset as it may be poisoned.
                Array.Clear(_run.State);
                Array.Clear(_run.CellState);
                nonFinite++;
                _output.WriteLine($"step {_run.Step + 1}: non-finite loss or gradient (loss={result.Loss}, norm={result.GradientNorm}); update skipped");
                if (nonFinite >= GiveUpAfterNonFiniteSteps)
                {
                    throw new TrainingDivergedException(
                        $"training stopped: {nonFinite} consecutive steps had a non-finite loss or gradient; try a lower --lr or a --clip value");
                }

                continue;
            }

            nonFinite = 0;
            _engine.FinalState.CopyTo(_run.State);
            _engine.FinalCellState.CopyTo(_run.CellState);
            _run.Step++;
            _run.Position = _streams.Position;
            AfterStep(result.Loss / _charsPerStep);
        }

        return false;
    }

    /// <summary>
    /// Ends the run: a checkpoint if it was interrupted, the plot, the saved model; prints the final line and returns
    /// the exit code.
    /// </summary>
    public int Finish(bool interrupted)
    {
        _progress.Finish();
        if (interrupted && _options.CheckpointPath is not null && _progress.Steps > 0)
        {
            _run.Save(_options.CheckpointPath, _model, _optimizer, _vocabulary, _options, _text);
        }

        _metrics?.Dispose();
        if (_options.PlotPath is not null && _options.MetricsPath is not null)
        {
            (string settings, List<MetricsRow> rows) = MetricsLog.Read(_options.MetricsPath);
            if (rows.Count > 0)
            {
                LossPlot.Write(_options.PlotPath, settings, rows);
            }
        }

        string? saved = null;
        if (_options.SavePath is not null && _run.Step > 0)
        {
            var metadata = new Dictionary<string, string>
            {
                [CharVocabulary.MetadataKey] = _vocabulary.Serialize(),
                ["trained_steps"] = _run.Step.ToString(CultureInfo.InvariantCulture),
            };
            ModelFile.Save(_model, _options.SavePath, metadata);
            saved = _options.SavePath;
        }

        double charsPerSecond = _progress.CharsPerSecond(_run.Step, _clock.Elapsed);
        _output.WriteLine(
            $"trained steps={_run.Step} loss_start={_progress.LossStart:F4} loss_end={_progress.LossEnd:F4} loss_window={_progress.Window} val_loss={ValidationLoss:F4} chars_per_s={charsPerSecond:F0}" +
            (saved is null ? "" : $" saved={saved}") + (interrupted ? " interrupted=true" : ""));
        return interrupted ? CliApp.Interrupted : CliApp.Ok;
    }

    /// <summary>
    /// A resumed run that already reached --steps: says so and prints the held-out loss of the model it holds
    /// instead of a run's summary of zero steps.
    /// </summary>
    public int NothingToDo(string path)
    {
        string score = "";
        if (_scorer is not null)
        {
            (double total, long characters) = _scorer.Score(_validation);
            score = string.Create(CultureInfo.InvariantCulture, $" val_loss={total / characters:F4}");
        }

        _output.WriteLine($"nothing to do: {path} is at step {_run.Step}, which --steps {_options.TrainingSteps} asks for (--steps counts the whole run; raise it to train on){score}");
        return CliApp.Ok;
    }

    public void Dispose()
    {
        _metrics?.Dispose();
        _scorer?.Dispose();
        _engine.Dispose();
        _pool?.Dispose();
    }

    /// <summary>What follows an applied step: progress, the held-out score, the metrics row, checkpoints, a sample.</summary>
    private void AfterStep(double loss)
    {
        int step = _run.Step;
        _progress.Report(step, loss, _clock.Elapsed);
        bool last = step == _options.TrainingSteps;
        double stepValidation = double.NaN;
        if (_scorer is not null && (last || (_options.EvalEvery > 0 && step % _options.EvalEvery == 0)))
        {
            (double total, long characters) = _scorer.Score(_validation);
            stepValidation = ValidationLoss = total / characters;
            _progress.Validation(step, ValidationLoss);
            if (_options.CheckpointPath is not null && !(ValidationLoss >= _run.BestValLoss))
            {
                _run.BestValLoss = ValidationLoss;
                _run.Save(TrainRunState.BestPath(_options.CheckpointPath), _model, _optimizer, _vocabulary, _options, _text);
            }
        }

        _metrics?.Add(new MetricsRow(step, loss, stepValidation, _optimizer.LearningRate,
            _progress.CharsPerSecond(step, _clock.Elapsed), _metrics.ElapsedBefore + _clock.Elapsed.TotalSeconds));
        if (_options.CheckpointPath is not null && (last || step % _options.CheckpointEvery == 0))
        {
            _metrics?.Flush();
            _run.Save(_options.CheckpointPath, _model, _optimizer, _vocabulary, _options, _text);
        }

        if (_options.SampleEvery > 0 && step % _options.SampleEvery == 0 && !last)
        {
            _progress.Sample(step, new TextSampler(_model, _vocabulary).Generate(_vocabulary.DefaultPrime, 160, 0.8f, _options.Seed + step));
        }
    }

    private static CharStreams TrainingStreams(int[] training, int vocabulary, TrainOptions options)
    {
        try
        {
            return new CharStreams(training, vocabulary, options.Steps, options.Batch);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Replace(" (Parameter 'text')", "", StringComparison.Ordinal) +
                (options.ValFraction > 0 ? $" (the training part: --val-fraction {options.ValFraction} holds out the rest)" : ""));
        }
    }
}
