namespace RnnKernels.Testing;

/// <summary>Measures what a call allocates on the calling thread once it is warm.</summary>
internal static class SteadyStateAllocation
{
    /// <summary>
    /// Bytes allocated on this thread by one call of <paramref name="call"/>: the fewest over
    /// <paramref name="attempts"/> calls.
    /// </summary>
    /// <remarks>
    /// The runtime charges its own one-time initialisations to whichever thread reaches them first, at moments that
    /// depend on thread timing: for example the first time in a process a thread is woken from a wait (64 bytes to a
    /// few KB), which a pool's caller meets in whichever region first finds a worker slower than the caller's spin.
    /// Such a cost is paid once; an allocation made by the code under test is made on every call, so the fewest
    /// bytes over a few calls is the steady-state figure, and a call that allocates still fails every attempt.
    /// </remarks>
    public static long PerCall(Action call, int attempts = 5)
    {
        long fewest = long.MaxValue;
        for (int i = 0; i < attempts && fewest > 0; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            call();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
