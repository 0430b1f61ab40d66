using RnnKernels.Kernels;
using RnnKernels.Cli.Text;

namespace RnnKernels.Cli.Tests;

/// <summary>
/// The text scorer against forward passes over whole segments: chunking with the state carried changes nothing but
/// rounding, streams are exactly the segments they claim to be, and the characters left over continue the last one.
/// </summary>
public sealed class TextScorerTests
{
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void StreamsAndChunksScoreExactlyTheirSegments(CellKind cell)
    {
        const int V = 6;
        var model = new RnnModel(new RnnShape(V, 5, V, layers: 2, cell: cell), seed: 4);
        var random = new Random(8);
        int[] text = [.. Enumerable.Range(0, 47).Select(_ => random.Next(V))];

        // 46 predictions in 3 streams of 15 plus one left over, which continues the third stream.
        double expected = Segment(model, text, 0, 15) + Segment(model, text, 15, 15) + Segment(model, text, 30, 16);
        using var scorer = new TextScorer(model, steps: 4, batch: 3);
        (double loss, long characters) = scorer.Score(text);
        Assert.Equal(46, characters);
        Assert.Equal(expected, loss, 1e-4);

        using var whole = new TextScorer(model, steps: 64, batch: 1);
        Assert.Equal(Segment(model, text, 0, 46), whole.Score(text).Loss, 1e-4);
        using var pooled = new WorkerPool(2);
        using var parallel = new TextScorer(model, steps: 4, batch: 3, pooled);
        Assert.Equal(loss, parallel.Score(text).Loss);
        Assert.Equal((0, 0), scorer.Score([1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Score([1, V]));
    }

    /// <summary>The summed loss of predicting text[start + 1 .. start + count] in one forward pass from a zero state.</summary>
    private static double Segment(RnnModel model, int[] text, int start, int count)
    {
        int v = model.Shape.InputSize;
        float[] inputs = new float[count * v];
        for (int t = 0; t < count; t++)
        {
            inputs[(t * v) + text[start + t]] = 1f;
        }

        using var engine = new RnnEngine(model, count, 1);
        engine.Forward(inputs, count, 1);
        return engine.CrossEntropyLoss(text.AsSpan(start + 1, count));
    }
}
