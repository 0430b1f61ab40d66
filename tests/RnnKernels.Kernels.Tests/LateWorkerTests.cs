using System.Diagnostics;
using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>A pool whose worker keeps finishing late runs its regions on the caller alone for a while, then tries again.</summary>
public sealed class LateWorkerTests
{
    private static readonly long Millisecond = Stopwatch.Frequency / 1000;

    [Fact]
    public void FourSlowRegionsInARowStartASoloStretchThatDoublesAndIsForgiven()
    {
        var policy = new LateWorkerPolicy();
        long[] equal = [1, 1], slow = [Millisecond, 5 * Millisecond];
        for (int i = 0; i < 3; i++)
        {
            policy.Record(slow, equal);
        }

        policy.Record([Millisecond, Millisecond], equal); // An even region breaks the run.
        for (int i = 0; i < 3; i++)
        {
            policy.Record(slow, equal);
            Assert.False(policy.RunSolo());
        }

        policy.Record(slow, equal);
        Assert.Equal(64, SoloRegions(policy));
        for (int i = 0; i < 4; i++)
        {
            policy.Record(slow, equal);
        }

        Assert.Equal(128, SoloRegions(policy));

        // Parts unequal by design but even per unit of weight (12 rows and 4), a worker one and a half times slower
        // per unit (another core's data in its cache), and differences below the threshold, are not slow.
        for (int i = 0; i < 16; i++)
        {
            policy.Record([3 * Millisecond, Millisecond], [12, 4]);
            policy.Record([2 * Millisecond, 3 * Millisecond], equal);
            policy.Record([Stopwatch.Frequency / 100_000, 0], equal);
        }

        Assert.False(policy.RunSolo());
        for (int i = 0; i < 4; i++)
        {
            policy.Record([3 * Millisecond, 3 * Millisecond], [12, 1]); // The 1-row part took as long as the 12-row one.
        }

        Assert.Equal(64, SoloRegions(policy));
    }

    [Fact]
    public void APoolWhoseWorkerFinishesLateRunsOnTheCallerAloneWithTheSameParts()
    {
        using var pool = new WorkerPool(2);
        var work = new SlowOnWorkerWork(Environment.CurrentManagedThreadId) { WaitForWorker = true };
        for (int region = 0; region < 4; region++)
        {
            work.BeginRegion();
            pool.Run(work, 2);
        }

        // Every region ran both parts; from now on the caller runs them itself, in order.
        Assert.Equal(8, work.Parts);
        Assert.Equal(4, work.OnWorker);
        work.Reset();
        for (int region = 0; region < 10; region++)
        {
            pool.Run(work, 2);
        }

        Assert.Equal(20, work.Parts);
        Assert.Equal(0, work.OnWorker);

        // A part that throws in a solo region is reported as with the workers, after the other parts ran.
        var failing = new FailingWork();
        AggregateException failed = Assert.Throws<AggregateException>(() => pool.Run(failing, 2));
        Assert.IsType<InvalidOperationException>(failed.InnerException);
        Assert.Equal(2, failing.Ran);
    }

    private sealed class FailingWork : IParallelWork
    {
        public int Ran { get; private set; }

        public void Execute(int part, int parts)
        {
            Ran++;
            if (part == 0)
            {
                throw new InvalidOperationException("part 0 fails");
            }
        }
    }

    private static int SoloRegions(LateWorkerPolicy policy)
    {
        int count = 0;
        while (policy.RunSolo())
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Counts parts; a part run by a worker thread sleeps, as a thread descheduled by a busy core would, and long enough
    /// that the caller's part (its wait for the worker to start, itself slow on a loaded machine: the tier child runs
    /// load both cores) stays under a third of it, so every such region counts as slow. While
    /// <see cref="WaitForWorker"/> is set the caller's part returns only once a worker has taken the other part, so
    /// every region has a slow worker part.
    /// </summary>
    private sealed class SlowOnWorkerWork(int caller) : IParallelWork
    {
        private int _parts, _onWorker, _started;

        public bool WaitForWorker { get; set; }

        public int Parts => _parts;

        public int OnWorker => Volatile.Read(ref _onWorker);

        public void Reset() => (_parts, _onWorker, WaitForWorker) = (0, 0, false);

        public void BeginRegion() => _started = 0;

        public void Execute(int part, int parts)
        {
            Interlocked.Increment(ref _parts);
            Interlocked.Increment(ref _started);
            if (Environment.CurrentManagedThreadId != caller)
            {
                Interlocked.Increment(ref _onWorker);
                Thread.Sleep(50);
                return;
            }

            // Until the other part has started on a worker (the caller does not return to claim it).
            var clock = Stopwatch.StartNew();
            while (WaitForWorker && Volatile.Read(ref _started) < parts && clock.ElapsedMilliseconds < 5000)
            {
                Thread.Yield();
            }
        }
    }
}
