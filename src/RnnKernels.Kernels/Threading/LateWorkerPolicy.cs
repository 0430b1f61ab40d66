using System.Diagnostics;

namespace RnnKernels.Kernels;

/// <summary>
/// Decides when a <see cref="WorkerPool"/> runs its regions on the calling thread alone. A thread whose core is busy
/// with another process is descheduled for whole time slices, so its part takes many times as long per unit of work
/// as the other thread's, and the region waits for it: two threads then run slower than one. After
/// <see cref="SlowRegionsBeforeSolo"/> regions in a row where one part's time per unit of its weight
/// (<see cref="IParallelWork.Weight"/>) was more than <see cref="SlowRatio"/> times another's, the pool runs the next
/// regions solo (every part on the caller, in order: the same bits, as parts do not depend on who runs them; the idle
/// worker sleeps, so the operating system can give the caller a free core, whichever of the two threads shared one),
/// then tries its workers again. Each solo stretch that ends in slow regions again is twice as long; a run of even
/// regions brings the length back down.
/// </summary>
/// <remarks>
/// The ratio is high on purpose: a worker reading data another core wrote, or the first part after a wake-up, runs
/// up to about one and a half times slower per unit without anything being wrong, while a thread that loses its
/// core for a time slice (milliseconds) is many times slower on parts of tens of microseconds. The waiting alone is no
/// signal: parts differ by design, and whichever thread claims the larger one keeps the other waiting. Used by the
/// thread that holds the pool's region lock only, so it needs no synchronisation.
/// </remarks>
internal sealed class LateWorkerPolicy
{
    private const int SlowRegionsBeforeSolo = 4;
    private const int EvenRegionsToForgive = 16;
    private const double SlowRatio = 3;
    private const int FirstSoloRegions = 64;
    private const int MaxSoloRegions = 8192;

    // Delays shorter than this are a worker's ordinary wake-up and cache effects, not a busy core.
    private static readonly long MinimumSlowTicks = Stopwatch.Frequency / 50_000;

    private int _slow;
    private int _even;
    private int _soloLeft;
    private int _soloLength = FirstSoloRegions;

    /// <summary>Whether the next region runs on the caller alone (counts it off the current solo stretch).</summary>
    public bool RunSolo()
    {
        if (_soloLeft == 0)
        {
            return false;
        }

        _soloLeft--;
        return true;
    }

    /// <summary>
    /// Records a region run with the workers by its parts' durations and weights: slow when the slowest part per unit
    /// of weight took <see cref="SlowRatio"/> times the fastest's, and more than the wake-up noise in all.
    /// </summary>
    public void Record(ReadOnlySpan<long> ticks, ReadOnlySpan<long> weights)
    {
        double slowest = 0, fastest = double.MaxValue;
        int slowPart = 0;
        for (int part = 0; part < ticks.Length; part++)
        {
            double rate = (double)ticks[part] / weights[part];
            if (rate > slowest)
            {
                (slowest, slowPart) = (rate, part);
            }

            fastest = Math.Min(fastest, rate);
        }

        double excess = ticks.Length == 0 ? 0 : ticks[slowPart] - (fastest * weights[slowPart]);
        if (!(slowest > SlowRatio * fastest) || excess <= MinimumSlowTicks)
        {
            _slow = 0;
            if (++_even >= EvenRegionsToForgive)
            {
                _soloLength = FirstSoloRegions;
            }

            return;
        }

        _even = 0;
        if (++_slow >= SlowRegionsBeforeSolo)
        {
            _slow = 0;
            _soloLeft = _soloLength;
            _soloLength = Math.Min(MaxSoloRegions, _soloLength * 2);
        }
    }
}
