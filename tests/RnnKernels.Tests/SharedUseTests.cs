using RnnKernels;
using RnnKernels.Kernels;
using RnnKernels.Optimizers;

namespace RnnKernels.Tests;

/// <summary>A shared pool gives the same bits as a private one; misuse of a single-threaded object is an exception, never a wrong number.</summary>
public sealed class SharedUseTests
{
    // B x H x H = 40 x 128 x 128 is above the size at which a GEMM goes parallel, and the weight-gradient products
    // run side by side on two threads: every region kind of the pool is exercised.
    private static readonly RnnShape Shape = new(48, 128, 40, 1, bidirectional: false);
    private const int Steps = 6, Batch = 40;

    [Fact]
    public void FourThreadsWithTwoEnginesEachOnOneSharedPoolMatchOneThreadBitwise()
    {
        const int Iterations = 12, Threads = 4, EnginesPerThread = 2;
        SequenceData[] batches = [.. Enumerable.Range(0, Iterations).Select(i =>
            SequenceData.CreateRandom(Shape, Steps, Batch, LossKind.CrossEntropy, seed: i, raggedLengths: i % 3 == 0, initialState: i % 2 == 0))];
        (double[] expectedLosses, float[] expectedParameters) = Train(batches, pool: null, seed: 7);

        using var shared = new WorkerPool(2);
        var results = new (double[] Losses, float[] Parameters)[Threads * EnginesPerThread];
        OnThreads([.. Enumerable.Range(0, Threads).Select(thread => (Action)(() =>
        {
            for (int e = 0; e < EnginesPerThread; e++)
            {
                results[(thread * EnginesPerThread) + e] = Train(batches, shared, seed: 7);
            }
        }))]);

        foreach ((double[] losses, float[] parameters) in results)
        {
            Assert.Equal(expectedLosses, losses);
            Assert.Equal(expectedParameters, parameters);
        }
    }

    [Fact]
    public void EnginesInterleavedOnThreadsSharingAPoolStayBitwiseExact()
    {
        // Two engines, each stepped alternately on its own thread, while both use one pool at the same time.
        SequenceData[] batches = [.. Enumerable.Range(0, 10).Select(i =>
            SequenceData.CreateRandom(Shape, Steps, Batch, LossKind.SquaredError, seed: 100 + i, raggedLengths: true))];
        (double[] expected, _) = Train(batches, pool: null, seed: 3, LossKind.SquaredError);
        using var shared = new WorkerPool(2);
        var losses = new double[2][];
        OnThreads(() => losses[0] = Train(batches, shared, seed: 3, LossKind.SquaredError).Losses,
            () => losses[1] = Train(batches, shared, seed: 3, LossKind.SquaredError).Losses);
        Assert.All(losses, l => Assert.Equal(expected, l));
    }

    [Fact]
    public void OneEngineOnTwoThreadsThrowsAndNeverGivesAWrongLoss()
    {
        var model = new RnnModel(Shape, seed: 5);
        using var engine = new RnnEngine(model, Steps, Batch);
        SequenceData data = SequenceData.CreateRandom(Shape, Steps, Batch, LossKind.CrossEntropy, seed: 1);
        engine.Forward(data.Inputs, Steps, Batch);
        double expected = engine.BackwardCrossEntropy(data.ClassTargets);

        int misuse = 0, wrong = 0;
        var start = new Barrier(2);
        void Hammer()
        {
            start.SignalAndWait();
            for (int i = 0; i < 300; i++)
            {
                try
                {
                    engine.Forward(data.Inputs, Steps, Batch);
                    if (engine.BackwardCrossEntropy(data.ClassTargets) != expected)
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
                catch (InvalidOperationException e) when (e.Message.Contains("RnnEngine is single-threaded", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref misuse);
                }
            }
        }

        OnThreads(Hammer, Hammer);
        Assert.Equal(0, wrong);
        Assert.True(misuse > 0, "two threads on one engine were never detected");
    }

    [Fact]
    public void BackwardOnAnotherThreadThanItsForwardThrows()
    {
        var model = new RnnModel(Shape, seed: 5);
        using var engine = new RnnEngine(model, Steps, Batch);
        SequenceData data = SequenceData.CreateRandom(Shape, Steps, Batch, LossKind.CrossEntropy, seed: 1);
        OnThreads(() => engine.Forward(data.Inputs, Steps, Batch));
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => engine.BackwardCrossEntropy(data.ClassTargets));
        Assert.Contains("RnnEngine is single-threaded", e.Message);
        Assert.Throws<InvalidOperationException>(() => engine.Outputs.Length);

        // A new forward on this thread takes the engine over.
        engine.Forward(data.Inputs, Steps, Batch);
        Assert.True(double.IsFinite(engine.BackwardCrossEntropy(data.ClassTargets)));
    }

    [Fact]
    public void OptimizerTrainerAndStreamDetectOverlappingCalls()
    {
        var model = new RnnModel(new RnnShape(8, 512, 8), seed: 1);
        var optimizer = new Adam(model.Parameters.Length, 1e-3f);
        float[] gradients = new float[model.Parameters.Length];
        Assert.True(Overlaps(() => optimizer.Step(model.Parameters, gradients), "Adam is single-threaded"));

        var stream = new StreamingRnn(model, batch: 16);
        float[] x = new float[16 * 8], o = new float[16 * 8];
        Assert.True(Overlaps(() => stream.Step(x, o), "StreamingRnn is single-threaded"));

        var shape = new RnnShape(8, 256, 8);
        var small = new RnnModel(shape, seed: 2);
        using var trainerEngine = new RnnEngine(small, 8, 8);
        var trainer = new Trainer(trainerEngine, new Sgd(small.Parameters.Length, 1e-3f));
        SequenceData data = SequenceData.CreateRandom(shape, 8, 8, LossKind.CrossEntropy, seed: 1);
        Assert.True(Overlaps(() => trainer.Step(data.Inputs, 8, 8, data.ClassTargets), "single-threaded"));
    }

    [Fact]
    public void PoolRegionsFromAPartAndAfterDisposeAreErrors()
    {
        var pool = new WorkerPool(2);
        var nested = new NestedRegion(pool);
        AggregateException failed = Assert.ThrowsAny<AggregateException>(() => pool.Run(nested, 2));
        Assert.IsType<InvalidOperationException>(failed.InnerException);
        Assert.True(nested.CallerFailed, "a part on the calling thread opened a region on its own pool");
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Run(nested, 2));
        Assert.Throws<ObjectDisposedException>(() => new RnnEngine(new RnnModel(Shape, 1), 2, 2, pool));
    }

    private static bool Overlaps(Action call, string message)
    {
        // Two threads call in a loop until one sees the other inside the same instance.
        bool seen = false;
        var start = new Barrier(2);
        void Loop()
        {
            start.SignalAndWait();
            for (int i = 0; i < 2000 && !Volatile.Read(ref seen); i++)
            {
                try
                {
                    call();
                }
                catch (InvalidOperationException e) when (e.Message.Contains(message, StringComparison.Ordinal))
                {
                    Volatile.Write(ref seen, true);
                }
            }
        }

        OnThreads(Loop, Loop);
        return seen;
    }

    /// <summary>Runs each action on a thread of its own and waits for all; an exception in one fails the test.</summary>
    internal static void OnThreads(params Action[] actions)
    {
        Exception? failure = null;
        Thread[] threads = [.. actions.Select(a => new Thread(() =>
        {
            try
            {
                a();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        }))];
        foreach (Thread t in threads)
        {
            t.Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        if (failure is not null)
        {
            throw new AggregateException(failure);
        }
    }

    private static (double[] Losses, float[] Parameters) Train(SequenceData[] batches, WorkerPool? pool, int seed, LossKind loss = LossKind.CrossEntropy)
    {
        var model = new RnnModel(Shape, seed);
        using var engine = new RnnEngine(model, Steps, Batch, pool);
        var trainer = new Trainer(engine, new Adam(model.Parameters.Length, 0.01f), clipNorm: 5f);
        double[] losses = new double[batches.Length];
        for (int i = 0; i < batches.Length; i++)
        {
            SequenceData d = batches[i];
            losses[i] = loss == LossKind.CrossEntropy
                ? trainer.Step(d.Inputs, Steps, Batch, d.ClassTargets, d.InitialState, d.Lengths).Loss
                : trainer.Step(d.Inputs, Steps, Batch, d.ValueTargets, d.InitialState, d.Lengths).Loss;
        }

        return (losses, model.Parameters);
    }

    /// <summary>Work whose parts try to open a region on the pool they run on.</summary>
    private sealed class NestedRegion(WorkerPool pool) : IParallelWork
    {
        public bool CallerFailed { get; private set; }

        public void Execute(int part, int parts)
        {
            float[] a = new float[256 * 256], c = new float[256 * 256];
            try
            {
                Gemm.Compute(Transpose.No, Transpose.No, 256, 256, 256, 1f, a, 256, a, 256, 0f, c, 256, pool);
            }
            catch (InvalidOperationException) when (!Thread.CurrentThread.Name?.StartsWith("rnnk-worker", StringComparison.Ordinal) ?? true)
            {
                CallerFailed = true;
                throw;
            }
        }
    }
}
