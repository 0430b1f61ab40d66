using System.Text;

namespace RnnKernels.Cli.Text;

/// <summary>
/// The training text <c>rnnk train</c> uses when given none: a logbook of a small harbour town, written by this
/// project as a seeded grammar (no text is copied from anywhere), about 400 KB. It is built to show learning, not
/// recall: people's names are made from syllables (hundreds of them, spelled by rules a model can pick up), numbers,
/// times and prices vary, a dozen sentence forms draw on word lists of dozens, sentences start with capitals and
/// speech is quoted. A model that has learned the structure samples new entries that read right; a few thousand
/// steps do not exhaust it, so the held-out loss stays near the training loss.
/// </summary>
internal static class DefaultCorpus
{
    private static readonly string[] Onsets = ["b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "br", "st", "th", "tr", "gr", "el", "an", "or"];
    private static readonly string[] Nuclei = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"];
    private static readonly string[] Codas = ["", "", "", "n", "r", "s", "l", "th", "m", "nd", "rk"];
    private static readonly string[] Winds = ["north", "south", "east", "west", "northwest", "southeast", "northeast", "southwest"];
    private static readonly string[] Strengths = ["light", "fresh", "strong", "gentle", "steady", "gusty", "cold", "warm", "rising", "falling"];
    private static readonly string[] Skies =
    [
        "clear", "grey", "low and heavy", "bright", "full of small clouds", "dark by evening", "white with haze", "streaked with red",
        "torn open at noon", "the colour of slate",
    ];

    private static readonly string[] Seas =
    [
        "calm", "choppy", "rough", "flat as glass", "long and rolling", "white at the harbour mouth", "green and slow", "short and steep",
        "breaking on the outer rocks", "quiet in the lee of the island",
    ];

    private static readonly string[] Adjectives =
    [
        "little", "blue", "old", "red", "swift", "patient", "silver", "quiet", "brave", "crooked", "morning", "evening", "lucky",
        "grey", "green", "northern", "wandering", "faithful",
    ];

    private static readonly string[] BoatNouns =
    [
        "heron", "lark", "pelican", "star", "otter", "gull", "whale", "seal", "tern", "anchor", "lantern", "rose", "sparrow", "comet",
    ];

    private static readonly string[] Catches = ["herring", "mackerel", "crabs", "cod", "lobsters", "sprats", "eels", "mussels", "plaice", "squid"];
    private static readonly string[] Goods = ["bread", "salt", "rope", "tar", "candles", "apples", "nails", "wool", "coffee", "lamp oil", "cheese", "paint"];
    private static readonly string[] Trades = ["the baker", "the ferryman", "the doctor", "the harbour master", "the smith", "the teacher", "the priest", "the net maker"];
    private static readonly string[] Verbs =
    [
        "mended", "painted", "carried", "counted", "sold", "lost", "found", "cleaned", "fixed", "opened", "closed", "checked", "loaded",
        "moved", "tied", "washed",
    ];

    private static readonly string[] Objects =
    [
        "the nets", "the door of the boathouse", "the bell on the church", "the crates", "the old boat", "the lamps on the quay",
        "the roof of the school", "the ropes", "the stove", "the windows", "the cart", "the long table",
    ];

    private static readonly string[] Places =
    [
        "by the quay", "at the market", "near the lighthouse", "on the beach", "in the square", "behind the church", "at the inn",
        "on the cliff path", "in the boathouse", "at the end of the pier", "under the bridge", "outside the school",
    ];

    private static readonly string[] Feelings =
    [
        "everyone was tired", "the children laughed", "the gulls were loud", "it smelled of tar and salt", "nobody spoke much",
        "the lamps were lit early", "there was music at the inn", "the dogs would not settle", "the rain came back", "the tide was very low",
    ];

    private static readonly string[] Sayings =
    [
        "the nets are torn again", "we will need more salt", "the wind will turn tonight", "the fish have gone deep", "bring the boats in",
        "the bell is cracked", "the tide is late today", "mind the outer rocks", "there is bread for everyone", "the road is flooded",
    ];

    private static readonly string[] Speaking = ["said", "called", "whispered", "shouted", "told us", "warned"];
    private static readonly string[] Times = ["in the morning", "at noon", "in the afternoon", "at dusk", "late at night", "before dawn"];

    private static string? s_text;

    /// <summary>The corpus text (generated once per process, identical on every run and machine).</summary>
    public static string Text => s_text ??= Generate(seed: 2026, targetLength: 400_000);

    /// <summary>Generates logbook text from the grammar.</summary>
    /// <param name="seed">Seed of the grammar's choices.</param>
    /// <param name="targetLength">Stop after the entry that reaches this many characters.</param>
    /// <returns>The text.</returns>
    public static string Generate(int seed, int targetLength)
    {
        var random = new Random(seed);
        string Pick(string[] words) => words[random.Next(words.Length)];
        string Name()
        {
            var name = new StringBuilder();
            int syllables = 2 + random.Next(2);
            for (int i = 0; i < syllables; i++)
            {
                name.Append(Pick(Onsets)).Append(Pick(Nuclei)).Append(i == syllables - 1 ? Pick(Codas) : "");
            }

            name[0] = char.ToUpperInvariant(name[0]);
            return name.ToString();
        }

        string Boat() => $"the {Pick(Adjectives)} {Pick(BoatNouns)}";
        string[] people = [.. Enumerable.Range(0, 300).Select(_ => Name())];
        string Person() => random.Next(3) == 0 ? Pick(Trades) : people[random.Next(people.Length)];
        var text = new StringBuilder(targetLength + 1024);
        void Sentence(string sentence) => text.Append(char.ToUpperInvariant(sentence[0])).Append(sentence, 1, sentence.Length - 1).Append('\n');

        for (int day = 1; text.Length < targetLength; day++)
        {
            text.Append("Day ").Append(day).Append(", ").Append(Pick(Times)).Append(".\n");
            Sentence($"wind {Pick(Strengths)} from the {Pick(Winds)}, sky {Pick(Skies)}, sea {Pick(Seas)}.");
            int lines = 2 + random.Next(5);
            for (int i = 0; i < lines; i++)
            {
                switch (random.Next(8))
                {
                    case 0:
                        Sentence($"{Boat()} went out {Pick(Times)} and came back with {2 + random.Next(40)} crates of {Pick(Catches)}.");
                        break;
                    case 1:
                        Sentence($"{Boat()} stayed in the harbour because {Pick(Feelings)}.");
                        break;
                    case 2:
                        Sentence($"{Person()} {Pick(Verbs)} {Pick(Objects)} {Pick(Places)}.");
                        break;
                    case 3:
                        Sentence($"{Person()} bought {1 + random.Next(12)} pounds of {Pick(Goods)} for {1 + random.Next(90)} coins.");
                        break;
                    case 4:
                        Sentence($"\"{Pick(Sayings)},\" {Pick(Speaking)} {Person()}.");
                        break;
                    case 5:
                        Sentence($"{Person()} and {Person()} met {Pick(Places)} at {1 + random.Next(12)} o'clock.");
                        break;
                    case 6:
                        Sentence($"{Pick(Times)} {Pick(Feelings)}, and {Person()} {Pick(Verbs)} {Pick(Objects)}.");
                        break;
                    default:
                        Sentence($"the price of {Pick(Goods)} went {(random.Next(2) == 0 ? "up" : "down")} to {1 + random.Next(30)} coins.");
                        break;
                }
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
