using RnnKernels;
using RnnKernels.Kernels;
using RnnKernels.Optimizers;
using RnnKernels.Testing;

namespace RnnKernels.Tests;

/// <summary>Training with 1, 2 and 3 threads must give bitwise identical parameters.</summary>
public sealed class ParallelTests
{
    [Theory]
    [InlineData(false, 1, 29, CellKind.Rnn)]
    [InlineData(true, 2, 29, CellKind.Rnn)]
    [InlineData(false, 1, 400, CellKind.Rnn)] // Enough logits for the softmax rows to be split too.
    [InlineData(false, 1, 29, CellKind.Lstm)]
    [InlineData(true, 2, 29, CellKind.Lstm)]
    [InlineData(false, 1, 29, CellKind.Gru)]
    [InlineData(true, 2, 29, CellKind.Gru)]
    public void ParametersAreBitwiseIdenticalForAnyThreadCount(bool bidirectional, int layers, int outputs, CellKind cell)
    {
        var shape = new RnnShape(37, 70, outputs, layers, bidirectional, cell: cell);
        float[] single = Train(shape, threads: 1);
        Assert.Equal(single, Train(shape, threads: 2));
        Assert.Equal(single, Train(shape, threads: 3));
    }

    [Theory]
    [InlineData(false, false, CellKind.Rnn)]
    [InlineData(true, false, CellKind.Rnn)]
    [InlineData(false, true, CellKind.Rnn)]
    [InlineData(true, true, CellKind.Rnn)]
    [InlineData(false, false, CellKind.Lstm)]
    [InlineData(true, true, CellKind.Lstm)]
    [InlineData(false, false, CellKind.Gru)]
    [InlineData(true, true, CellKind.Gru)]
    [InlineData(false, false, CellKind.Lstm, 8)] // 8 rows: 4 + 4 on every tile (8 x 512 x 128 is just parallel).
    [InlineData(true, false, CellKind.Lstm, 8)]
    public void GradientsAreBitwiseIdenticalWhenTheStepProductsAreSplit(bool ragged, bool bidirectional, CellKind cell, int batch = 40)
    {
        // B x H x H = 40 x 128 x 128 is above the size at which a GEMM goes parallel, so the step products are split
        // and the fused activation and next-step gradient run on each thread's block; ragged lengths mix fused and
        // unfused steps, and bidirectional layers take the strided paths. The weight-gradient products (128 x 64 x 240
        // and up) are large enough to run side by side on two threads.
        var shape = new RnnShape(64, 128, 40, 1, bidirectional, cell: cell);
        const int Steps = 7;
        SequenceData data = SequenceData.CreateRandom(shape, Steps, batch, LossKind.CrossEntropy, seed: 5, raggedLengths: ragged, initialState: true);
        float[] Gradients(int threads)
        {
            using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
            using var engine = new RnnEngine(new RnnModel(shape, seed: 3), Steps, batch, pool);
            engine.Forward(data.Inputs, Steps, batch, data.Lengths, data.InitialState, data.InitialCellState);
            engine.BackwardCrossEntropy(data.ClassTargets);
            return [.. engine.Gradients, .. engine.InitialStateGradient, .. engine.InitialCellStateGradient, .. engine.FinalCellState];
        }

        float[] single = Gradients(1);
        Assert.Equal(single, Gradients(2));
        Assert.Equal(single, Gradients(3));
    }

    [Fact]
    public void ParallelGemmIsBitwiseIdenticalAndAllocatesNothing()
    {
        var random = new Random(4);
        float[] a = Enumerable.Range(0, 150 * 300).Select(_ => random.NextSingle() - 0.5f).ToArray();
        float[] b = Enumerable.Range(0, 300 * 333).Select(_ => random.NextSingle() - 0.5f).ToArray();
        Assert.True(a.Length >= 17 * 2000 && b.Length >= 2000 * 16);
        foreach ((int m, int n, int k, Transpose ta, Transpose tb) in new[]
        {
            (150, 333, 300, Transpose.No, Transpose.No), (1, 333, 300, Transpose.No, Transpose.No), (150, 7, 300, Transpose.No, Transpose.Yes),
            (64, 300, 150, Transpose.Yes, Transpose.Yes), (1, 300, 150, Transpose.No, Transpose.Yes),
            (17, 16, 2000, Transpose.No, Transpose.No), // A row split whose last strip is a single row, K over KC.
        })
        {
            int lda = ta == Transpose.No ? k : m, ldb = tb == Transpose.No ? n : k;
            float[] expected = new float[m * n];
            Gemm.Compute(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0f, expected, n);
            for (int threads = 2; threads <= 3; threads++)
            {
                using var pool = new WorkerPool(threads);
                float[] c = new float[m * n];
                Gemm.Compute(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0f, c, n, pool);
                Assert.Equal(expected, c);
                Assert.Equal(0, SteadyStateAllocation.PerCall(() => Gemm.Compute(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 1f, c, n, pool)));
            }
        }
    }

    private static float[] Train(RnnShape shape, int threads)
    {
        using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
        var model = new RnnModel(shape, seed: 11);
        using var trainerEngine = new RnnEngine(model, 9, 20, pool);
        var trainer = new Trainer(trainerEngine, new Adam(model.Parameters.Length, 0.01f), clipNorm: 1f);
        for (int step = 0; step < 4; step++)
        {
            SequenceData data = SequenceData.CreateRandom(shape, 9, 20, LossKind.CrossEntropy, seed: step);
            trainer.Step(data.Inputs, 9, 20, data.ClassTargets);
        }

        return model.Parameters;
    }
}
