using System.Text;

namespace RnnKernels.Text;

/// <summary>
/// The training text <c>rnnk train</c> uses when given none: a logbook of a small harbour town, written by this
/// project as a seeded grammar (no text is copied from anywhere), about 100 KB. It has the structure a small RNN can
/// visibly learn in seconds: a closed vocabulary, spelling, spacing, punctuation, dated entries, and sentence
/// templates whose parts agree (a weather line always names a wind, a sky and a sea).
/// </summary>
public static class DefaultCorpus
{
    private static readonly string[] Winds = ["north", "south", "east", "west", "northwest", "southeast"];
    private static readonly string[] Strengths = ["light", "fresh", "strong", "gentle", "steady", "gusty"];
    private static readonly string[] Skies = ["clear", "grey", "low and heavy", "bright", "full of small clouds", "dark by evening"];
    private static readonly string[] Seas = ["calm", "choppy", "rough", "flat as glass", "long and rolling", "white at the harbour mouth"];
    private static readonly string[] Boats = ["the heron", "the little may", "the blue lark", "the old pelican", "the morning star", "the otter"];
    private static readonly string[] Catches = ["herring", "mackerel", "crabs", "cod", "lobsters", "sprats"];
    private static readonly string[] People = ["anna", "the harbour master", "old tom", "the baker", "mira and her brother", "the ferryman", "the doctor"];
    private static readonly string[] Actions =
    [
        "mended the nets", "painted the door of the boathouse", "walked up to the lighthouse", "sold bread on the quay",
        "counted the crates twice", "climbed the cliff path", "fixed the bell on the church", "sang by the fire",
    ];

    private static readonly string[] Places = ["by the quay", "at the market", "near the lighthouse", "on the beach", "in the square", "behind the church"];
    private static readonly string[] Feelings = ["everyone was tired", "the children laughed", "the gulls were loud", "it smelled of tar and salt", "nobody spoke much", "the lamps were lit early"];

    private static string? s_text;

    /// <summary>The corpus text (generated once per process, identical on every run and machine).</summary>
    public static string Text => s_text ??= Generate(seed: 2026, targetLength: 100_000);

    /// <summary>Generates logbook text from the grammar.</summary>
    /// <param name="seed">Seed of the grammar's choices.</param>
    /// <param name="targetLength">Stop after the entry that reaches this many characters.</param>
    /// <returns>The text.</returns>
    public static string Generate(int seed, int targetLength)
    {
        var random = new Random(seed);
        string Pick(string[] words) => words[random.Next(words.Length)];
        var text = new StringBuilder(targetLength + 512);
        for (int day = 1; text.Length < targetLength; day++)
        {
            text.Append("day ").Append(day).Append(".\n");
            text.Append("wind ").Append(Pick(Strengths)).Append(" from the ").Append(Pick(Winds))
                .Append(", sky ").Append(Pick(Skies)).Append(", sea ").Append(Pick(Seas)).Append(".\n");
            int boats = 1 + random.Next(3);
            for (int i = 0; i < boats; i++)
            {
                string boat = Pick(Boats);
                if (random.Next(4) == 0)
                {
                    text.Append(boat).Append(" stayed in the harbour.\n");
                }
                else
                {
                    int crates = 2 + random.Next(18);
                    text.Append(boat).Append(" went out at dawn and came back with ").Append(crates).Append(" crates of ").Append(Pick(Catches)).Append(".\n");
                }
            }

            text.Append(Pick(People)).Append(' ').Append(Pick(Actions)).Append(' ').Append(Pick(Places)).Append(".\n");
            if (random.Next(2) == 0)
            {
                text.Append("in the evening ").Append(Pick(Feelings)).Append(".\n");
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
