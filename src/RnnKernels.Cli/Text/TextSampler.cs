namespace RnnKernels.Cli.Text;

/// <summary>
/// Generates text from a character model one character at a time, carrying the state (h, and c for an LSTM) in a
/// <see cref="StreamingRnn"/>, which serves a snapshot of the model's weights taken when the sampler is created.
/// </summary>
internal sealed class TextSampler
{
    private readonly CharVocabulary _vocabulary;
    private readonly StreamingRnn _stream;
    private readonly float[] _input;
    private readonly float[] _logits;

    /// <summary>Creates a sampler for a model whose inputs and outputs are the vocabulary's characters.</summary>
    /// <param name="model">A model with I = O = vocabulary size.</param>
    /// <param name="vocabulary">Its vocabulary.</param>
    public TextSampler(RnnModel model, CharVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (model.Shape.InputSize != vocabulary.Count || model.Shape.OutputSize != vocabulary.Count)
        {
            throw new ArgumentException(
                $"The model has I={model.Shape.InputSize}, O={model.Shape.OutputSize}, but its vocabulary has {vocabulary.Count} characters.", nameof(vocabulary));
        }

        if (model.Shape.Bidirectional)
        {
            throw new ArgumentException("A bidirectional model reads the future, so it cannot generate text left to right.", nameof(model));
        }

        _vocabulary = vocabulary;
        _stream = new StreamingRnn(model);
        _input = new float[vocabulary.Count];
        _logits = new float[vocabulary.Count];
    }

    /// <summary>Feeds <paramref name="prime"/>, then samples <paramref name="length"/> characters.</summary>
    /// <param name="prime">Text to start from (vocabulary characters; at least one).</param>
    /// <param name="length">Characters to generate.</param>
    /// <param name="temperature">Softmax temperature &gt; 0: below 1 is more conservative, above 1 more varied.</param>
    /// <param name="seed">Seed of the sampling; the same seed gives the same text.</param>
    /// <returns>The generated characters (without the prime).</returns>
    /// <exception cref="ArgumentOutOfRangeException">length is negative or temperature is not positive and finite.</exception>
    /// <exception cref="ArgumentException">prime is empty or holds a character outside the vocabulary.</exception>
    public string Generate(string prime, int length, float temperature, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!(temperature > 0) || !float.IsFinite(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be a positive number.");
        }

        int[] primed = _vocabulary.Encode(prime);
        if (primed.Length == 0)
        {
            throw new ArgumentException("prime must hold at least one character.", nameof(prime));
        }

        var random = new Random(seed);
        _stream.Reset();
        foreach (int index in primed)
        {
            Feed(index);
        }

        var text = new System.Text.StringBuilder(length);
        var probabilities = new double[_vocabulary.Count];
        for (int i = 0; i < length; i++)
        {
            int next = Draw(_logits, temperature, probabilities, random);
            text.Append(_vocabulary.Decode(next));
            Feed(next);
        }

        return text.ToString();
    }

    private void Feed(int index)
    {
        _input[index] = 1f;
        _stream.Step(_input, _logits);
        _input[index] = 0f;
    }

    private static int Draw(ReadOnlySpan<float> logits, float temperature, double[] probabilities, Random random)
    {
        double max = double.NegativeInfinity;
        foreach (float z in logits)
        {
            max = Math.Max(max, z);
        }

        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            probabilities[i] = Math.Exp((logits[i] - max) / temperature);
            sum += probabilities[i];
        }

        double u = random.NextDouble() * sum;
        for (int i = 0; i < logits.Length; i++)
        {
            u -= probabilities[i];
            if (u < 0)
            {
                return i;
            }
        }

        return logits.Length - 1;
    }
}
