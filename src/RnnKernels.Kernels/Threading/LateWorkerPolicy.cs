using System.Diagnostics;

namespace RnnKernels.Kernels;

/// <summary>
/// Decides when a <see cref="WorkerPool"/> runs its regions on the calling thread alone. A thread whose core is busy
/// with another process is descheduled for whole time slices, so the part it runs takes several times as long as the
/// same-sized part on a free core, and the region waits for it: two threads then run slower than one. After
/// <see cref="SlowRegionsBeforeSolo"/> regions in a row whose slowest part took more than
/// <see cref="SlowPartRatio"/> times its fastest, the pool runs the next regions solo (every part on the caller, in
/// order: the same bits, as parts do not depend on who runs them; the idle worker sleeps, so the operating system can
/// give the caller the free core), then tries its workers again. Each solo stretch that ends in slow regions again is
/// twice as long; a run of balanced regions brings the length back down.
/// </summary>
internal sealed class LateWorkerPolicy
{
    private const int SlowRegionsBeforeSolo = 4;
    private const int BalancedRegionsToForgive = 16;
    private const double SlowPartRatio = 1.6;
    private const int FirstSoloRegions = 64;
    private const int MaxSoloRegions = 8192;

    // Differences shorter than this are cache and wake-up effects, not a busy core.
    private static readonly long MinimumSlowTicks = Stopwatch.Frequency / 50_000;

    private int _slow;
    private int _balanced;
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

    /// <summary>Records a region run with the workers by the durations of its slowest and fastest parts.</summary>
    public void Record(long slowestPartTicks, long fastestPartTicks)
    {
        if (slowestPartTicks - fastestPartTicks <= MinimumSlowTicks || slowestPartTicks <= SlowPartRatio * fastestPartTicks)
        {
            _slow = 0;
            if (++_balanced >= BalancedRegionsToForgive)
            {
                _soloLength = FirstSoloRegions;
            }

            return;
        }

        _balanced = 0;
        if (++_slow >= SlowRegionsBeforeSolo)
        {
            _slow = 0;
            _soloLeft = _soloLength;
            _soloLength = Math.Min(MaxSoloRegions, _soloLength * 2);
        }
    }
}
