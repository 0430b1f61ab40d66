namespace RnnKernels.Cli.Text;

/// <summary>
/// Cuts an encoded text into B parallel streams and serves consecutive chunks of T characters from each, as
/// one-hot inputs [T, B, V] and next-character targets [T, B]: the batches of truncated BPTT, where each chunk
/// continues where the previous one stopped so the hidden state can be carried across.
/// </summary>
internal sealed class CharStreams
{
    private readonly int[] _text;
    private readonly int _streamLength;
    private int _position;

    /// <summary>Prepares the streams.</summary>
    /// <param name="text">Character indices.</param>
    /// <param name="vocabularySize">V.</param>
    /// <param name="steps">T, characters per chunk.</param>
    /// <param name="batch">B, parallel streams.</param>
    /// <exception cref="ArgumentException">The text is too short for B streams of T + 1 characters.</exception>
    public CharStreams(int[] text, int vocabularySize, int steps, int batch)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        _streamLength = text.Length / batch;
        if (_streamLength < steps + 1)
        {
            throw new ArgumentException(
                $"The text has {text.Length} characters; {batch} streams of at least {steps + 1} characters need {(long)batch * (steps + 1)}. Use a longer text or a smaller --seq/--batch.",
                nameof(text));
        }

        _text = text;
        VocabularySize = vocabularySize;
        Steps = steps;
        Batch = batch;
        Inputs = new float[steps * batch * vocabularySize];
        Targets = new int[steps * batch];
    }

    /// <summary>V.</summary>
    public int VocabularySize { get; }

    /// <summary>T.</summary>
    public int Steps { get; }

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>One-hot inputs of the current chunk [T, B, V].</summary>
    public float[] Inputs { get; }

    /// <summary>Next-character targets of the current chunk [T, B].</summary>
    public int[] Targets { get; }

    /// <summary>
    /// Where the next chunk starts in each stream (0 at the start; a chunk that would run past a stream's end wraps to
    /// 0 first). A training checkpoint saves it so a resumed run reads the same chunks.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 0 or past the streams' length.</exception>
    public int Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, _streamLength);
            _position = value;
        }
    }

    /// <summary>Fills <see cref="Inputs"/> and <see cref="Targets"/> with the next chunk.</summary>
    /// <returns>True when the streams wrapped to their start, so a carried state must be reset.</returns>
    public bool Next()
    {
        bool wrapped = false;
        if (_position + Steps + 1 > _streamLength)
        {
            _position = 0;
            wrapped = true;
        }

        Array.Clear(Inputs);
        for (int t = 0; t < Steps; t++)
        {
            for (int b = 0; b < Batch; b++)
            {
                int at = (b * _streamLength) + _position + t;
                int row = (t * Batch) + b;
                Inputs[(row * VocabularySize) + _text[at]] = 1f;
                Targets[row] = _text[at + 1];
            }
        }

        _position += Steps;
        return wrapped;
    }
}
