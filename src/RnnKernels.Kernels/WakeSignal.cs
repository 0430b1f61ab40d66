using System.Diagnostics;

namespace RnnKernels.Kernels;

/// <summary>
/// An auto-reset signal for one waiter that spins for a short while before it sleeps. A training loop opens a
/// parallel region every few tens of microseconds (one per step GEMM); waking a thread that went to sleep in the
/// kernel costs about as much again (more in a virtual machine), so the waiter stays awake across the gap, as OpenMP
/// runtimes do (GOMP_SPINCOUNT, KMP_BLOCKTIME). After <see cref="SpinTicks"/> without a signal it blocks on a
/// semaphore and costs nothing while idle.
/// </summary>
/// <remarks>
/// Protocol: one thread waits, any thread sets, and the signal is not set again before the waiter has returned
/// (the pool's regions guarantee it). State 0 = clear, 1 = set, 2 = waiter asleep on the semaphore.
/// </remarks>
internal sealed class WakeSignal : IDisposable
{
    // About 200 us: longer than the serial work between two step GEMMs, short enough not to burn a core when idle.
    private static readonly long SpinTicks = Environment.ProcessorCount > 1 ? Stopwatch.Frequency / 5_000 : 0;

    private readonly SemaphoreSlim _sleep = new(0);
    private int _state;

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
        long deadline = Stopwatch.GetTimestamp() + SpinTicks;
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

            Thread.SpinWait(8);
        }

        Volatile.Write(ref _state, 0);
    }

    /// <summary>Releases the semaphore.</summary>
    public void Dispose() => _sleep.Dispose();
}
