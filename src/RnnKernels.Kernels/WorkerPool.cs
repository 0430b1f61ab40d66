namespace RnnKernels.Kernels;

/// <summary>
/// A fixed set of worker threads for the parallel kernels, created once and reused by every parallel region: no
/// thread is started per call, nothing is allocated per region, and work is split statically (part p always runs
/// the same range), so results do not depend on timing. The calling thread runs part 0 itself.
/// </summary>
/// <remarks>
/// The library starts no thread unless a pool with <see cref="DegreeOfParallelism"/> above 1 is created. One pool
/// serves one caller at a time (an engine, or several engines used from one thread); regions from different threads
/// on the same pool are serialised. Dispose it to stop its threads. Between regions the workers (and the caller,
/// waiting for them) spin for about 200 microseconds before they sleep, so a loop of short regions does not pay a
/// kernel wake-up for each; an idle pool uses no CPU.
/// </remarks>
public sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly WakeSignal[] _start;
    private readonly WakeSignal _finished = new();
    private readonly Lock _region = new();
    private IParallelWork? _work;
    private int _parts;
    private int _remaining;
    private Exception? _failure;
    private volatile bool _stopping;

    /// <summary>Creates the pool and its <paramref name="degreeOfParallelism"/> - 1 background threads.</summary>
    /// <param name="degreeOfParallelism">Threads working on each region, the caller included (1..256).</param>
    public WorkerPool(int degreeOfParallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(degreeOfParallelism, 256);
        DegreeOfParallelism = degreeOfParallelism;
        int workers = degreeOfParallelism - 1;
        _threads = new Thread[workers];
        _start = new WakeSignal[workers];
        for (int i = 0; i < workers; i++)
        {
            _start[i] = new WakeSignal();
            int part = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(part)) { IsBackground = true, Name = $"rnnk-worker-{part}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads working on each region, the caller included.</summary>
    public int DegreeOfParallelism { get; }

    /// <summary>The GEMM region this pool runs, reused by every parallel GEMM (regions on a pool are serialised).</summary>
    internal GemmParallelWork GemmWork { get; } = new();

    /// <summary>The softmax cross-entropy region this pool runs, reused likewise.</summary>
    internal SoftmaxParallelWork SoftmaxWork { get; } = new();

    /// <summary>The packing region of <see cref="PackedMatrix.Pack(Transpose, int, int, ReadOnlySpan{float}, int, WorkerPool?)"/>, reused likewise.</summary>
    internal GemmPackWork PackWork { get; } = new();

    /// <summary>Stops the worker threads.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
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
    /// Runs work.Execute(p, parts) for every p in [0, parts), part 0 on the calling thread and part p on worker p, and
    /// returns when all are done. The pool's kernels use this; it is public for work of the caller's own (for example
    /// independent products computed side by side).
    /// </summary>
    /// <param name="work">The region's work.</param>
    /// <param name="parts">Parts to run, 1..<see cref="DegreeOfParallelism"/>.</param>
    /// <exception cref="AggregateException">A part running on a worker threw (the exception is inside).</exception>
    public void Run(IParallelWork work, int parts)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parts, DegreeOfParallelism);
        ObjectDisposedException.ThrowIf(_stopping, this);
        if (parts <= 1)
        {
            work.Execute(0, 1);
            return;
        }

        lock (_region)
        {
            _work = work;
            _parts = parts;
            _failure = null;
            Volatile.Write(ref _remaining, parts - 1);
            for (int i = 0; i < parts - 1; i++)
            {
                _start[i].Set();
            }

            try
            {
                work.Execute(0, parts);
            }
            finally
            {
                _finished.Wait();
                _work = null;
            }

            if (_failure is not null)
            {
                throw new AggregateException("A worker thread failed in a parallel kernel.", _failure);
            }
        }
    }

    private void WorkerLoop(int part)
    {
        WakeSignal start = _start[part - 1];
        while (true)
        {
            start.Wait();
            if (_stopping)
            {
                return;
            }

            try
            {
                _work!.Execute(part, _parts);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            finally
            {
                // The last worker to finish wakes the caller. (CountdownEvent would allocate a lock object on its
                // first blocking wait; WakeSignal allocates everything up front.)
                if (Interlocked.Decrement(ref _remaining) == 0)
                {
                    _finished.Set();
                }
            }
        }
    }
}
