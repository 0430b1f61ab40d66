using System.Diagnostics;
using System.Text;
using RnnKernels.IO;
using RnnKernels.Kernels;
using RnnKernels.Optimizers;
using RnnKernels.Text;

namespace RnnKernels.Cli;

/// <summary>
/// <c>rnnk train</c>: trains a character-level model with truncated BPTT (B parallel streams, the hidden state
/// carried from chunk to chunk), shows progress and samples, and saves atomically.
/// </summary>
internal static class TrainCommand
{
    private const int GiveUpAfterNonFiniteSteps = 5;

    private const string Help = """
        rnnk train [--text FILE] [--cell rnn|lstm|gru] [--hidden 256] [--layers 1] [--seq 64] [--batch 32] [--steps 1000]
                   [--lr 0.003] [--optimizer adam|adagrad|sgd] [--clip 5] [--seed 1] [--threads N]
                   [--save PATH] [--resume PATH] [--sample-every N]

          --text          UTF-8 text to learn (default: the built-in harbour logbook, ~100 KB)
          --cell          the recurrent cell: rnn (Elman, tanh), lstm or gru (default rnn)
          --save          write the model (safetensors, PyTorch names, vocabulary in metadata) at the end,
                          or on Ctrl+C; written atomically, so an interrupted run never leaves a broken file
          --resume        start from a saved model (its cell, sizes and vocabulary; optimizer state starts fresh)
          --sample-every  print a short generated sample every N steps (0: never; default steps/4)
          --clip          clip gradients to this global norm (0: off)
          --threads       worker threads (default: all cores); results are identical for any number
        Prints: trained steps=N loss_start=X loss_end=Y chars_per_s=Z [saved=PATH]  (losses in nats/char)
        """;

    public static int Run(string[] args, TextWriter output, CancellationToken cancel)
    {
        if (HelpText.Requested(args, output, Help))
        {
            return CliApp.Ok;
        }

        TrainOptions options = TrainOptions.Parse(args);
        string text = options.TextPath is null ? DefaultCorpus.Text : ReadText(options.TextPath);
        (RnnModel model, CharVocabulary vocabulary) = CreateOrResume(options, text);
        var streams = new CharStreams(vocabulary.Encode(text), vocabulary.Count, options.Steps, options.Batch);
        using WorkerPool? pool = options.Threads > 1 ? new WorkerPool(options.Threads) : null;
        var engine = new RnnEngine(model, options.Steps, options.Batch, pool);
        var trainer = new Trainer(engine, CreateOptimizer(options, model.Parameters.Length), options.Clip);
        var progress = new TrainProgress(output, options.TrainingSteps, options.Steps * options.Batch);
        float[] state = new float[model.Shape.StateSize(options.Batch)];
        float[] cellState = new float[model.Shape.HasCellState ? state.Length : 0];

        int done = 0, nonFinite = 0;
        bool interrupted = false;
        var clock = Stopwatch.StartNew();
        while (done < options.TrainingSteps)
        {
            if (cancel.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }

            if (streams.Next())
            {
                Array.Clear(state); // The streams wrapped to the start of the text: no state carries over.
                Array.Clear(cellState);
            }

            TrainStepResult result = trainer.Step(streams.Inputs, options.Steps, options.Batch, streams.Targets, state, initialCellState: cellState);
            if (!result.Applied)
            {
                // A non-finite loss or gradient never reaches the weights; the state is reset as it may be poisoned.
                Array.Clear(state);
                Array.Clear(cellState);
                nonFinite++;
                output.WriteLine($"step {done + 1}: non-finite loss or gradient (loss={result.Loss}, norm={result.GradientNorm}); update skipped");
                if (nonFinite >= GiveUpAfterNonFiniteSteps)
                {
                    throw new TrainingDivergedException(
                        $"training stopped: {nonFinite} consecutive steps had a non-finite loss or gradient; try a lower --lr or a --clip value");
                }

                continue;
            }

            nonFinite = 0;
            engine.FinalState.CopyTo(state);
            engine.FinalCellState.CopyTo(cellState);
            done++;
            progress.Report(done, result.Loss / (options.Steps * options.Batch), clock.Elapsed);
            if (options.SampleEvery > 0 && done % options.SampleEvery == 0 && done < options.TrainingSteps)
            {
                progress.Sample(done, Sample(model, vocabulary, options.Seed + done));
            }
        }

        progress.Finish();
        string? saved = null;
        if (options.SavePath is not null && done > 0)
        {
            var metadata = new Dictionary<string, string>
            {
                [CharVocabulary.MetadataKey] = vocabulary.Serialize(),
                ["trained_steps"] = done.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            ModelFile.Save(model, options.SavePath, metadata);
            saved = options.SavePath;
        }

        double charsPerSecond = done * (double)options.Steps * options.Batch / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        output.WriteLine(
            $"trained steps={done} loss_start={progress.LossStart:F4} loss_end={progress.LossEnd:F4} chars_per_s={charsPerSecond:F0}" +
            (saved is null ? "" : $" saved={saved}") + (interrupted ? " interrupted=true" : ""));
        return interrupted ? CliApp.Interrupted : CliApp.Ok;
    }

    private static string ReadText(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException)
        {
            throw new UsageException($"--text {path} is not valid UTF-8");
        }

        return text.Length > 0 ? text : throw new UsageException($"--text {path} is empty");
    }

    private static (RnnModel Model, CharVocabulary Vocabulary) CreateOrResume(TrainOptions options, string text)
    {
        if (options.ResumePath is null)
        {
            CharVocabulary fresh = CharVocabulary.FromText(text);
            return (new RnnModel(new RnnShape(fresh.Count, options.Hidden, fresh.Count, options.Layers, cell: options.Cell), options.Seed), fresh);
        }

        (RnnModel model, IReadOnlyDictionary<string, string> metadata) = ModelFile.Load(options.ResumePath);
        CharVocabulary vocabulary = SavedVocabulary(options.ResumePath, model, metadata);
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (!vocabulary.Contains(rune))
            {
                throw new UsageException($"the text holds '{rune}' (U+{rune.Value:X4}), which the model in {options.ResumePath} has no input for");
            }
        }

        if (model.Shape.Bidirectional)
        {
            throw new UsageException($"{options.ResumePath} is bidirectional; a character model for generation must be unidirectional");
        }

        return (model, vocabulary);
    }

    /// <summary>The vocabulary stored in a character model's metadata, checked against its sizes.</summary>
    internal static CharVocabulary SavedVocabulary(string path, RnnModel model, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(CharVocabulary.MetadataKey, out string? serialized))
        {
            throw new InvalidDataException($"{path}: no '{CharVocabulary.MetadataKey}' in metadata; it is not a character model saved by rnnk train");
        }

        CharVocabulary vocabulary = CharVocabulary.Parse(serialized);
        if (vocabulary.Count != model.Shape.InputSize || vocabulary.Count != model.Shape.OutputSize)
        {
            throw new InvalidDataException($"{path}: the vocabulary has {vocabulary.Count} characters but the model has I={model.Shape.InputSize}, O={model.Shape.OutputSize}");
        }

        return vocabulary;
    }

    private static IOptimizer CreateOptimizer(TrainOptions options, int length) => options.Optimizer switch
    {
        "sgd" => new Sgd(length, options.LearningRate, momentum: 0.9f),
        "adagrad" => new Adagrad(length, options.LearningRate),
        _ => new Adam(length, options.LearningRate),
    };

    private static string Sample(RnnModel model, CharVocabulary vocabulary, int seed)
    {
        string prime = vocabulary.Contains(new Rune('\n')) ? "\n" : vocabulary.Decode(0);
        return new TextSampler(model, vocabulary).Generate(prime, 160, 0.8f, seed);
    }
}
