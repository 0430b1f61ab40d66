using RnnKernels.Kernels;

namespace RnnKernels.Cli.Text;

/// <summary>
/// Scores a character model on a text: the summed cross-entropy of predicting every character from the ones before
/// it (all but the first), forward passes only. The text is cut into up to B equal streams read side by side in
/// chunks of T with the state carried from chunk to chunk, as training reads its text; the few characters left over
/// continue the last stream on their own. Buffers are made once, so scoring allocates nothing per chunk, and the
/// result is the same for any number of threads.
/// </summary>
internal sealed class TextScorer : IDisposable
{
    private readonly RnnEngine _engine;
    private readonly int _vocabulary;
    private readonly float[] _inputs;
    private readonly int[] _targets;
    private readonly float[] _state, _cellState, _tailState, _tailCellState;

    /// <summary>Prepares a scorer for <paramref name="model"/>, which it reads but never changes.</summary>
    /// <param name="model">A unidirectional model whose inputs and outputs are the vocabulary (I = O).</param>
    /// <param name="steps">T, characters per chunk.</param>
    /// <param name="batch">B, streams read side by side.</param>
    /// <param name="pool">Worker threads for the forward passes, or null.</param>
    /// <exception cref="ArgumentException">The model is bidirectional or its input and output sizes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">steps or batch is below 1.</exception>
    public TextScorer(RnnModel model, int steps, int batch, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        RnnShape shape = model.Shape;
        if (shape.Bidirectional || shape.InputSize != shape.OutputSize)
        {
            throw new ArgumentException(
                $"Scoring a text needs a unidirectional model with one input and one output per character, but this one is {(shape.Bidirectional ? "bidirectional" : $"I={shape.InputSize}, O={shape.OutputSize}")}.",
                nameof(model));
        }

        _engine = new RnnEngine(model, steps, batch, pool);
        _vocabulary = shape.InputSize;
        _inputs = new float[steps * batch * _vocabulary];
        _targets = new int[steps * batch];
        _state = new float[shape.StateSize(batch)];
        _cellState = new float[shape.HasCellState ? _state.Length : 0];
        _tailState = new float[shape.StateSize(1)];
        _tailCellState = new float[shape.HasCellState ? _tailState.Length : 0];
    }

    /// <summary>Scores <paramref name="text"/> (character indices).</summary>
    /// <param name="text">The text, each value in 0..V-1.</param>
    /// <returns>The summed loss in nats and the number of characters predicted (text.Length - 1, or 0).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A character index is not in 0..V-1.</exception>
    public (double Loss, long Characters) Score(ReadOnlySpan<int> text)
    {
        int predicted = text.Length - 1;
        if (predicted <= 0)
        {
            return (0, 0);
        }

        int batch = Math.Min(_engine.MaxBatch, predicted);
        int streamLength = predicted / batch;
        double loss = 0;
        Array.Clear(_state);
        Array.Clear(_cellState);
        for (int start = 0; start < streamLength; start += _engine.MaxSteps)
        {
            int steps = Math.Min(_engine.MaxSteps, streamLength - start);
            loss += Chunk(text, start, streamLength, steps, batch, _state, _cellState);
        }

        // The characters the equal streams left over follow the last stream in the text: it reads on alone.
        int done = batch * streamLength;
        if (done < predicted)
        {
            Last(_state, _tailState, batch);
            Last(_cellState, _tailCellState, batch);
            for (int start = done; start < predicted; start += _engine.MaxSteps)
            {
                int steps = Math.Min(_engine.MaxSteps, predicted - start);
                loss += Chunk(text, start, 0, steps, 1, _tailState, _tailCellState);
            }
        }

        return (loss, predicted);
    }

    /// <inheritdoc/>
    public void Dispose() => _engine.Dispose();

    /// <summary>One chunk: stream b reads text[b * stride + start ..] for <paramref name="steps"/> characters.</summary>
    private double Chunk(ReadOnlySpan<int> text, int start, int stride, int steps, int batch, float[] state, float[] cellState)
    {
        Span<float> inputs = _inputs.AsSpan(0, steps * batch * _vocabulary);
        inputs.Clear();
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                int at = (b * stride) + start + t, row = (t * batch) + b;
                inputs[(row * _vocabulary) + Checked(text[at], at)] = 1f;
                _targets[row] = Checked(text[at + 1], at + 1);
            }
        }

        int size = _engine.Model.Shape.StateSize(batch);
        _engine.Forward(inputs, steps, batch, initialState: state.AsSpan(0, size), initialCellState: cellState.AsSpan(0, cellState.Length == 0 ? 0 : size));
        double loss = _engine.CrossEntropyLoss(_targets.AsSpan(0, steps * batch));
        _engine.FinalState.CopyTo(state);
        _engine.FinalCellState.CopyTo(cellState);
        return loss;
    }

    private int Checked(int character, int at) =>
        (uint)character < (uint)_vocabulary
            ? character
            : throw new ArgumentOutOfRangeException("text", character, $"text[{at}] must be a character index in 0..{_vocabulary - 1}, but it is {character}.");

    /// <summary>The last of <paramref name="batch"/> entries of a state [L, B, H], as [L, 1, H].</summary>
    private void Last(float[] state, float[] last, int batch)
    {
        int h = _engine.Model.Shape.HiddenSize;
        for (int layer = 0; layer < last.Length / h; layer++)
        {
            state.AsSpan(((layer * batch) + batch - 1) * h, h).CopyTo(last.AsSpan(layer * h, h));
        }
    }
}
