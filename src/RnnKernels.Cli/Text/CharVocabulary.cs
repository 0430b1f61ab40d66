using System.Text;

namespace RnnKernels.Cli.Text;

/// <summary>
/// The characters (Unicode scalar values) of a character-level model, sorted by code point; index i is class i and
/// input i. Saved in model metadata as one string of the characters in order.
/// </summary>
internal sealed class CharVocabulary
{
    /// <summary>Metadata key the vocabulary is stored under.</summary>
    public const string MetadataKey = "vocabulary";

    private readonly Rune[] _runes;
    private readonly Dictionary<Rune, int> _index;

    private CharVocabulary(Rune[] runes)
    {
        _runes = runes;
        _index = new Dictionary<Rune, int>(runes.Length);
        for (int i = 0; i < runes.Length; i++)
        {
            if (!_index.TryAdd(runes[i], i))
            {
                throw new InvalidDataException($"The vocabulary lists '{runes[i]}' twice.");
            }
        }
    }

    /// <summary>Number of distinct characters.</summary>
    public int Count => _runes.Length;

    /// <summary>The vocabulary of every character in <paramref name="text"/>.</summary>
    /// <param name="text">Training text.</param>
    /// <returns>The vocabulary.</returns>
    public static CharVocabulary FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var set = new SortedSet<Rune>();
        foreach (Rune rune in text.EnumerateRunes())
        {
            set.Add(rune);
        }

        return new CharVocabulary([.. set]);
    }

    /// <summary>Reads a vocabulary saved by <see cref="Serialize"/>.</summary>
    /// <param name="serialized">The characters in index order.</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="InvalidDataException">The serialized vocabulary lists a character twice.</exception>
    public static CharVocabulary Parse(string serialized)
    {
        ArgumentNullException.ThrowIfNull(serialized);
        return new CharVocabulary([.. serialized.EnumerateRunes()]);
    }

    /// <summary>The characters in index order, as one string.</summary>
    /// <returns>The string.</returns>
    public string Serialize() => string.Concat(_runes.Select(r => r.ToString()));

    /// <summary>What sampling starts from when given nothing: a newline if the vocabulary has one, else its first character.</summary>
    public string DefaultPrime => Contains(new Rune('\n')) ? "\n" : Decode(0);

    /// <summary>Whether <paramref name="rune"/> is in the vocabulary.</summary>
    /// <param name="rune">A character.</param>
    /// <returns>True if known.</returns>
    public bool Contains(Rune rune) => _index.ContainsKey(rune);

    /// <summary>The first character of <paramref name="text"/> that is not in the vocabulary, or null when all are.</summary>
    /// <param name="text">Text to check.</param>
    /// <returns>The character, or null.</returns>
    public Rune? FirstMissing(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (!Contains(rune))
            {
                return rune;
            }
        }

        return null;
    }

    /// <summary>Index of every character of <paramref name="text"/>.</summary>
    /// <param name="text">Text made of vocabulary characters only.</param>
    /// <returns>Indices.</returns>
    /// <exception cref="ArgumentException">A character is not in the vocabulary.</exception>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var indices = new List<int>(text.Length);
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (!_index.TryGetValue(rune, out int i))
            {
                throw new ArgumentException($"The character '{rune}' (U+{rune.Value:X4}) is not in the model's vocabulary.", nameof(text));
            }

            indices.Add(i);
        }

        return [.. indices];
    }

    /// <summary>The character of index <paramref name="index"/>.</summary>
    /// <param name="index">0..Count-1.</param>
    /// <returns>The character as a string.</returns>
    public string Decode(int index) => _runes[index].ToString();
}
