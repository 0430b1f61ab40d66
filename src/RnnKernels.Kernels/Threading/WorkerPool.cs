using System.Diagnostics;

namespace RnnKernels.Kernels;

/// <summary>
/// A fixed set of worker threads for the parallel kernels, created once and reused by every parallel region: no
/// thread is started per call, nothing is allocated per region, and work is split statically (part p always covers
/// the same range, whichever thread runs it), so results do not depend on timing or on the number of threads.
/// </summary>
/// <remarks>
/// <para>The library starts no thread unless a pool with <see cref="DegreeOfParallelism"/> above 1 is created.</para>
/// <para>Thread-safe: any number of threads and engines may share one pool. A region's set-up and run are one
/// serialised unit (regions from different threads take turns), so a shared pool gives the same bits as a private
/// one.</para>
/// <para>Parts are claimed, not assigned: the calling thread and the workers each take the next part not yet taken
/// until none is left, so a worker that the operating system has not scheduled (another process on its core) delays
/// nothing, as the caller runs its part; the pool then never runs slower than the caller alone would. Between regions
/// the workers spin for up to about 200 microseconds before they sleep, so a loop of short regions does not pay a
/// kernel wake-up for each; a worker that keeps waking too late to find a part left spins less (down to sleeping at
/// once), so it stops taking a core from a busy machine. A worker that claims its part and then finishes it late, as
/// one sharing its core with another process does, makes the region wait for it: when that keeps happening the pool runs
/// regions on the caller alone for a while (<see cref="LateWorkerPolicy"/>), so asking for more threads on a busy
/// machine never makes the work slower than one thread. An idle pool uses no CPU. Dispose it to stop its threads.</para>
/// </remarks>
public sealed class WorkerPool : IDisposable
{
    [ThreadStatic]
    private static WorkerPool? t_workerOf;

    private readonly Thread[] _threads;
    private readonly WakeSignal[] _start;
    private readonly WakeSignal _finished = new();
    private readonly Lock _region = new();
    private readonly LateWorkerPolicy _lateWorkers = new();
    private readonly long[] _partTicks;
    private readonly long[] _partWeights;
    private IParallelWork?[] _slots = [];
    private IParallelWork? _work;

    // The region being run: bits 63..32 its sequence number, 31..16 its part count, 15..0 the next part to claim.
    // One word, so a worker that woke late cannot claim a part of a region that is already over.
    private long _claims;
    private int _unfinished;
    private bool _running;
    private Exception? _failure;
    private volatile bool _stopping;

    /// <summary>Creates the pool and its <paramref name="degreeOfParallelism"/> - 1 background threads.</summary>
    /// <param name="degreeOfParallelism">Threads working on each region, the caller included (1..256).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="degreeOfParallelism"/> is outside 1..256.</exception>
    public WorkerPool(int degreeOfParallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(degreeOfParallelism, 256);
        DegreeOfParallelism = degreeOfParallelism;
        _partTicks = new long[degreeOfParallelism];
        _partWeights = new long[degreeOfParallelism];
        int workers = degreeOfParallelism - 1;
        _threads = new Thread[workers];
        _start = new WakeSignal[workers];
        for (int i = 0; i < workers; i++)
        {
            _start[i] = new WakeSignal();
            int worker = i;
            _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"rnnk-worker-{worker + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads working on each region, the caller included.</summary>
    public int DegreeOfParallelism { get; }

    /// <summary>Whether <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed => _stopping;

    /// <summary>Stops the worker threads (after the region running now, if any). Later regions throw.</summary>
    public void Dispose()
    {
        lock (_region)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
        }

        foreach (WakeSignal start in _start)
        {
            start.Set();
        }

        foreach (Thread thread in _threads)
        {
            thread.Join();
        }

        foreach (WakeSignal start in _start)
        {
            start.Dispose();
        }

        _finished.Dispose();
    }

    /// <summary>
    /// Runs work.Execute(p, parts) for every p in [0, parts) on the calling thread and the workers, and returns when
    /// all are done. The pool's kernels use this; it is public for work of the caller's own (for example
    /// independent products computed side by side).
    /// </summary>
    /// <param name="work">The region's work.</param>
    /// <param name="parts">Parts to run, 1..<see cref="DegreeOfParallelism"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parts"/> is outside 1..<see cref="DegreeOfParallelism"/>.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from inside a region of this pool (a part cannot open a region).</exception>
    /// <exception cref="AggregateException">A part of a region of more than one part threw (the exception is inside).</exception>
    public void Run(IParallelWork work, int parts)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parts, DegreeOfParallelism);
        using Lock.Scope region = EnterRegion();
        if (parts == 1)
        {
            work.Execute(0, 1);
            return;
        }

        if (_lateWorkers.RunSolo())
        {
            RunSolo(work, parts);
            return;
        }

        for (int part = 0; part < parts; part++)
        {
            _partWeights[part] = Math.Max(1, work.Weight(part, parts));
        }

        _running = true;
        _work = work;
        _failure = null;
        Volatile.Write(ref _unfinished, parts);
        long sequence = (Volatile.Read(ref _claims) >> 32) + 1;
        Volatile.Write(ref _claims, (sequence << 32) | ((long)parts << 16));
        for (int i = 0; i < parts - 1; i++)
        {
            _start[i].Set();
        }

        bool last = false;
        try
        {
            last = RunClaimedParts(out _);
        }
        finally
        {
            if (!last)
            {
                _finished.Wait();
            }

            _work = null;
            _running = false;
        }

        _lateWorkers.Record(_partTicks.AsSpan(0, parts), _partWeights.AsSpan(0, parts));

        if (_failure is not null)
        {
            throw new AggregateException("A worker thread failed in a parallel kernel.", _failure);
        }
    }

    /// <summary>
    /// Every part on the calling thread, in order, as a solo stretch of <see cref="LateWorkerPolicy"/> runs a region: the
    /// same parts as with the workers, and a failing part reported the same way, after the others have run.
    /// </summary>
    private static void RunSolo(IParallelWork work, int parts)
    {
        Exception? failure = null;
        for (int part = 0; part < parts; part++)
        {
            try
            {
                work.Execute(part, parts);
            }
            catch (Exception e)
            {
                failure ??= e;
            }
        }

        if (failure is not null)
        {
            throw new AggregateException("A part of a parallel kernel failed.", failure);
        }
    }

    /// <summary>
    /// Enters the pool's region lock for the calling thread (re-entrant), so a kernel can set up the pool's instance
    /// of its work (<see cref="Work{T}"/>) and run it as one unit. Dispose the scope to leave.
    /// </summary>
    internal Lock.Scope EnterRegion()
    {
        if (t_workerOf == this)
        {
            throw new InvalidOperationException("A part of a parallel region tried to open a region on the pool it runs on.");
        }

        Lock.Scope scope = _region.EnterScope();
        if (_stopping || _running)
        {
            scope.Dispose();
            throw _stopping
                ? new ObjectDisposedException(nameof(WorkerPool))
                : new InvalidOperationException("A part of a parallel region tried to open a region on the pool it runs on.");
        }

        return scope;
    }

    /// <summary>
    /// The pool's one instance of <typeparamref name="T"/>, created on first use and reused by every later region
    /// (no allocation per call). Only valid inside <see cref="EnterRegion"/>, which keeps it from being set up by
    /// two threads at once.
    /// </summary>
    internal T Work<T>()
        where T : class, IParallelWork, new()
    {
        if (!_region.IsHeldByCurrentThread)
        {
            throw new InvalidOperationException("WorkerPool.Work is only valid inside EnterRegion.");
        }

        int index = WorkSlot<T>.Index;
        if (index >= _slots.Length)
        {
            Array.Resize(ref _slots, index + 1);
        }

        return (T)(_slots[index] ??= new T());
    }

    /// <summary>
    /// Claims and runs parts of the current region until none is left. Returns true when this thread finished the
    /// region's last unfinished part; <paramref name="claimedAny"/> tells whether it found a part at all.
    /// </summary>
    private bool RunClaimedParts(out bool claimedAny)
    {
        claimedAny = false;
        while (true)
        {
            long claims = Volatile.Read(ref _claims);
            int next = (int)(claims & 0xFFFF), parts = (int)((claims >> 16) & 0xFFFF);
            if (next >= parts)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _claims, claims + 1, claims) != claims)
            {
                continue;
            }

            claimedAny = true;
            try
            {
                // The claim succeeded while the region was live, so _work is this region's (it is written before
                // _claims is published and cleared only after every part has finished).
                long start = Stopwatch.GetTimestamp();
                _work!.Execute(next, parts);
                _partTicks[next] = Stopwatch.GetTimestamp() - start;
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }

            if (Interlocked.Decrement(ref _unfinished) == 0)
            {
                return true;
            }
        }
    }

    private void WorkerLoop(int worker)
    {
        t_workerOf = this;
        WakeSignal start = _start[worker];
        while (true)
        {
            start.Wait();
            if (_stopping)
            {
                return;
            }

            bool last = RunClaimedParts(out bool claimedAny);
            start.Adapt(claimedAny);
            if (last)
            {
                _finished.Set();
            }
        }
    }

    /// <summary>Gives each work type its own slot index in every pool.</summary>
    private static class WorkSlot<T>
    {
        public static readonly int Index = Interlocked.Increment(ref WorkSlotCounter.Count) - 1;
    }

    private static class WorkSlotCounter
    {
        public static int Count;
    }
}
