using System.Diagnostics;

namespace RnnKernels.Kernels;

/// <summary>
/// An auto-reset signal for one waiter that spins for a short while before it sleeps. A training loop opens a
/// parallel region every few tens of microseconds (one per step GEMM); waking a thread that went to sleep in the
/// kernel costs about as much again (more in a virtual machine), so the waiter stays awake across the gap, as OpenMP
/// runtimes do (GOMP_SPINCOUNT, KMP_BLOCKTIME). After its spin time without a signal it blocks on a semaphore and
/// costs nothing while idle.
/// </summary>
/// <remarks>
/// <para>Protocol: one thread waits, any thread sets. Setting a signal that is already set does nothing.
/// State 0 = clear, 1 = set, 2 = waiter asleep on the semaphore.</para>
/// <para>The spin time adapts (<see cref="Adapt"/>): a spin that ends in a wake-up too late to be useful means the
/// waiter is competing for a core (another process, more threads than cores), where spinning only slows the thread
/// it waits for; it halves each time, down to sleeping at once, and doubles back when wake-ups are useful again.
/// The spin yields the core every few iterations, so a thread waiting to run on it is not held off.</para>
/// </remarks>
internal sealed class WakeSignal : IDisposable
{
    // About 200 us: longer than the serial work between two step GEMMs, short enough not to burn a core when idle.
    private static readonly long MaxSpinTicks = Environment.ProcessorCount > 1 ? Stopwatch.Frequency / 5_000 : 0;
    private static readonly long MinSpinTicks = MaxSpinTicks / 64;

    private readonly SemaphoreSlim _sleep = new(0);
    private int _state;
    private long _spinTicks = MaxSpinTicks;

    /// <summary>Wakes the waiter, or lets its next <see cref="Wait"/> return at once.</summary>
    public void Set()
    {
        if (Interlocked.Exchange(ref _state, 1) == 2)
        {
            _sleep.Release();
        }
    }

    /// <summary>Returns once the signal is set, and clears it.</summary>
    public void Wait()
    {
        long deadline = Stopwatch.GetTimestamp() + _spinTicks;
        int spins = 0;
        while (Volatile.Read(ref _state) != 1)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                // Announce the sleep; if Set got in first the exchange fails and there is nothing to wait for.
                if (Interlocked.CompareExchange(ref _state, 2, 0) == 0)
                {
                    _sleep.Wait();
                }

                break;
            }

            if (++spins % 64 == 0)
            {
                Thread.Yield();
            }
            else
            {
                Thread.SpinWait(8);
            }
        }

        Volatile.Write(ref _state, 0);
    }

    /// <summary>
    /// Tells the signal whether the wake-up it last returned from was useful (the waiter found work); the spin time
    /// shrinks after useless ones and grows back after useful ones. Called by the waiting thread only.
    /// </summary>
    /// <param name="useful">Whether the waiter found work after its last wake-up.</param>
    public void Adapt(bool useful) =>
        _spinTicks = useful ? Math.Min(MaxSpinTicks, Math.Max(MinSpinTicks, _spinTicks * 2)) : _spinTicks / 2;

    /// <summary>Releases the semaphore.</summary>
    public void Dispose() => _sleep.Dispose();
}
