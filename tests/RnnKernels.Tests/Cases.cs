using RnnKernels;

namespace RnnKernels.Tests;

/// <summary>A small model plus a random batch for one combination of features.</summary>
internal sealed record Case(RnnShape Shape, SequenceData Data, LossKind Loss, string Name)
{
    public override string ToString() => Name;

    /// <summary>Every feature combination: cell (Elman tanh/relu, LSTM, GRU), layers, directions, loss, ragged lengths, given h0 (and c0).</summary>
    public static IEnumerable<Case> All()
    {
        int seed = 0;
        foreach ((CellKind cell, Nonlinearity nonlinearity) in new[]
        {
            (CellKind.Rnn, Nonlinearity.Tanh), (CellKind.Rnn, Nonlinearity.Relu), (CellKind.Lstm, Nonlinearity.Tanh), (CellKind.Gru, Nonlinearity.Tanh),
        })
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
                                    new RnnShape(3, 4, 5, layers, bidirectional, nonlinearity, cell), steps: 5, batch: 3, loss, ragged, withH0, seed++);
                            }
                        }
                    }
                }
            }
        }
    }

    public static Case Create(RnnShape shape, int steps, int batch, LossKind loss, bool ragged, bool withH0, int seed)
    {
        string kind = shape.Cell == CellKind.Rnn ? shape.Nonlinearity.ToString() : shape.Cell.ToString();
        string name = $"{kind} L{shape.Layers} D{shape.Directions} {loss}{(ragged ? " ragged" : "")}{(withH0 ? (shape.HasCellState ? " h0 c0" : " h0") : "")}";
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
