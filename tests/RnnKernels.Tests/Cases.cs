using RnnKernels;

namespace RnnKernels.Tests;

/// <summary>A small model plus a random batch for one combination of features.</summary>
internal sealed record Case(RnnShape Shape, SequenceData Data, LossKind Loss, string Name)
{
    public override string ToString() => Name;

    /// <summary>Every feature combination: activation, layers, directions, loss, ragged lengths, given h0.</summary>
    public static IEnumerable<Case> All()
    {
        int seed = 0;
        foreach (Nonlinearity nonlinearity in Enum.GetValues<Nonlinearity>())
        {
            foreach (int layers in new[] { 1, 2 })
            {
                foreach (bool bidirectional in new[] { false, true })
                {
                    foreach (LossKind loss in Enum.GetValues<LossKind>())
                    {
                        foreach (bool ragged in new[] { false, true })
                        {
                            foreach (bool withH0 in new[] { false, true })
                            {
                                yield return Create(
                                    new RnnShape(3, 4, 5, layers, bidirectional, nonlinearity), steps: 5, batch: 3, loss, ragged, withH0, seed++);
                            }
                        }
                    }
                }
            }
        }
    }

    public static Case Create(RnnShape shape, int steps, int batch, LossKind loss, bool ragged, bool withH0, int seed)
    {
        string name = $"{shape.Nonlinearity} L{shape.Layers} D{shape.Directions} {loss}{(ragged ? " ragged" : "")}{(withH0 ? " h0" : "")}";
        return new Case(shape, SequenceData.CreateRandom(shape, steps, batch, loss, seed, ragged, withH0), loss, name);
    }

    public static TheoryData<string> Names
    {
        get
        {
            TheoryData<string> data = [];
            foreach (Case c in All())
            {
                data.Add(c.Name);
            }

            return data;
        }
    }

    public static Case Named(string name) => All().Single(c => c.Name == name);
}
