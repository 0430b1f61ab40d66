using System.Text;
using RnnKernels.IO;
using RnnKernels.Optimizers;
using RnnKernels.Cli.Text;

namespace RnnKernels.Cli;

/// <summary>
/// <c>rnnk train</c>: trains a character-level model with truncated BPTT (B parallel streams, the hidden state
/// carried from chunk to chunk): parses the options, reads the text, creates or resumes the model and optimizer, and
/// runs a <see cref="TrainSession"/>.
/// </summary>
internal static class TrainCommand
{
    private const string Help = """
        rnnk train [--text FILE] [--cell rnn|lstm|gru] [--nonlinearity tanh|relu] [--hidden 256] [--layers 1]
                   [--seq 64] [--batch 32] [--steps 1000] [--lr 0.003] [--optimizer adam|adagrad|sgd] [--clip 5]
                   [--lr-decay F --lr-decay-every N] [--dropout P] [--val-fraction 0.1] [--eval-every 100] [--seed 1]
                   [--threads N] [--save PATH] [--checkpoint PATH --checkpoint-every 1000] [--resume PATH]
                   [--metrics PATH] [--plot PATH] [--sample-every 500]

          --text            UTF-8 text to learn (default: the built-in harbour logbook, ~400 KB)
          --cell            the recurrent cell: rnn (Elman), lstm or gru (default rnn); --nonlinearity for rnn
          --val-fraction    the tail of the text held out and never trained on (default 0.1; 0: none)
          --eval-every      score the whole held-out text every N steps (0: only at the end)
          --clip            clip the gradient of the mean per-character loss to this norm (0: off)
          --lr-decay        multiply the learning rate by F every --lr-decay-every N steps (default: constant)
          --dropout         drop each output of every layer but the last with probability P while training
                            (PyTorch nn.RNN's dropout; needs --layers 2 or more; held-out scoring runs without it)
          --save            write the model (safetensors, PyTorch names, vocabulary in metadata) at the end,
                            or on Ctrl+C; written atomically, so an interrupted run never leaves a broken file
          --checkpoint      write the whole training state (model, optimizer, step, place in the text, carried
                            state) every --checkpoint-every steps and at the end, atomically; the best by held-out
                            loss is kept beside it (NAME.best.EXT)
          --resume          continue from a checkpoint exactly (--steps counts the total), or start from a saved
                            model (its cell, sizes and vocabulary; a fresh optimizer)
          --metrics         write step, train_loss, val_loss, lr, chars_per_s, elapsed_s as CSV
          --plot            draw the loss curves as SVG at the end (needs --metrics; 'rnnk plot' draws one any time)
          --sample-every    print a short generated sample every N steps (0: never)
          --threads         worker threads (default: all cores); results are identical for any number
        Losses are mean nats per character. Prints at the end:
          trained steps=N loss_start=X loss_end=Y val_loss=V chars_per_s=Z [saved=PATH]
        """;

    public static int Run(string[] args, TextWriter output, CancellationToken cancel)
    {
        if (HelpText.Requested(args, output, Help))
        {
            return CliApp.Ok;
        }

        TrainOptions options = TrainOptions.Parse(args);
        if (options.PlotPath is not null && options.MetricsPath is null)
        {
            throw new UsageException("--plot draws the metrics of the run: give --metrics PATH too");
        }

        string text = options.TextPath is null ? DefaultCorpus.Text : ReadText(options.TextPath);
        (RnnModel model, CharVocabulary vocabulary, IOptimizer? optimizer, TrainRunState run, options) = CreateOrResume(options, text);
        using var session = new TrainSession(options, model, vocabulary, optimizer ?? CreateOptimizer(options, model.Parameters.Length), run, text, output);
        if (run.Step >= options.TrainingSteps)
        {
            return session.NothingToDo(options.ResumePath!);
        }

        return session.Finish(session.Train(cancel));
    }

    internal static string ReadText(string path)
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

    private static (RnnModel Model, CharVocabulary Vocabulary, IOptimizer? Optimizer, TrainRunState Run, TrainOptions Options) CreateOrResume(
        TrainOptions options, string text)
    {
        if (options.ResumePath is null)
        {
            CharVocabulary fresh = CharVocabulary.FromText(text);
            var shape = new RnnShape(fresh.Count, options.Hidden, fresh.Count, options.Layers, nonlinearity: options.Nonlinearity, cell: options.Cell);
            return (new RnnModel(shape, options.Seed), fresh, null, NewRun(shape, options), options);
        }

        (_, IReadOnlyDictionary<string, string> metadata) = SafeTensorsFile.Read(options.ResumePath);
        if (TrainRunState.IsCheckpoint(metadata))
        {
            (TrainingCheckpoint checkpoint, TrainRunState run, TrainOptions resumed) = TrainRunState.Load(options.ResumePath, options, text);
            CharVocabulary saved = SavedVocabulary(options.ResumePath, checkpoint.Model, checkpoint.Metadata);
            if (run.Step > resumed.TrainingSteps)
            {
                throw new UsageException($"{options.ResumePath} is at step {run.Step}, past --steps {resumed.TrainingSteps} (--steps counts the whole run)");
            }

            return (checkpoint.Model, saved, checkpoint.Optimizer, run, resumed);
        }

        (RnnModel model, CharVocabulary vocabulary) = LoadCharacterModel(options.ResumePath, "a character model for generation must be unidirectional");
        RnnShape modelShape = model.Shape;
        TrainOptions fromModel = options with { Cell = modelShape.Cell, Nonlinearity = modelShape.Nonlinearity, Hidden = modelShape.HiddenSize, Layers = modelShape.Layers };
        options.EnsureSameAs(fromModel, ["cell", "nonlinearity", "hidden", "layers"], options.ResumePath);
        options = fromModel;
        if (vocabulary.FirstMissing(text) is { } rune)
        {
            throw new UsageException($"the text holds '{rune}' (U+{rune.Value:X4}), which the model in {options.ResumePath} has no input for");
        }

        return (model, vocabulary, null, NewRun(model.Shape, options), options);
    }

    private static TrainRunState NewRun(RnnShape shape, TrainOptions options) => new()
    {
        State = new float[shape.StateSize(options.Batch)],
        CellState = new float[shape.HasCellState ? shape.StateSize(options.Batch) : 0],
    };

    /// <summary>
    /// A character model saved by <c>rnnk train</c> and its vocabulary; a bidirectional one is refused with
    /// <paramref name="refusal"/> (it reads the future, so nothing that goes left to right can use it).
    /// </summary>
    internal static (RnnModel Model, CharVocabulary Vocabulary) LoadCharacterModel(string path, string refusal)
    {
        (RnnModel model, IReadOnlyDictionary<string, string> metadata) = ModelFile.Load(path);
        CharVocabulary vocabulary = SavedVocabulary(path, model, metadata);
        return model.Shape.Bidirectional ? throw new UsageException($"{path} is bidirectional; {refusal}") : (model, vocabulary);
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
}
