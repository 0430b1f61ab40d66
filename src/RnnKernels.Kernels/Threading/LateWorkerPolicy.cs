using System.Diagnostics;

namespace RnnKernels.Kernels;

/// <summary>
/// Decides when a <see cref="WorkerPool"/> runs its regions on the calling thread alone. A worker whose core is busy
/// with another process is descheduled for whole time slices, so the caller, having run its own parts, waits for the
/// worker's: two threads then run slower than one. After <see cref="LateRegionsBeforeSolo"/> regions in a row where the
/// caller waited longer than half the time it worked itself, the pool runs the next regions solo (every part on the
/// caller, in order: the same bits, as parts do not depend on who runs them; the idle worker sleeps, so the operating
/// system can give the caller the free core), then tries its workers again. Each solo stretch that ends in late
/// regions again is twice as long; a run of regions on time brings the length back down.
/// </summary>
/// <remarks>
/// The wait, not the parts' durations, is the signal: parts differ in size by design (a split on tile boundaries gives
/// 16 rows as 12 and 4 on a 6-row tile), and the caller claims the first, largest part, so a worker on a free core
/// never keeps it waiting long. Used by the thread that holds the pool's region lock only, so it needs no
/// synchronisation.
/// </remarks>
internal sealed class LateWorkerPolicy
{
    private const int LateRegionsBeforeSolo = 4;
    private const int OnTimeRegionsToForgive = 16;
    private const int FirstSoloRegions = 64;
    private const int MaxSoloRegions = 8192;

    // Waits shorter than this are a worker's ordinary wake-up and cache effects, not a busy core.
    private static readonly long MinimumLateTicks = Stopwatch.Frequency / 50_000;

    private int _late;
    private int _onTime;
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

    /// <summary>Records a region run with the workers: how long the caller ran its parts, and how long it then waited.</summary>
    public void Record(long callerTicks, long waitTicks)
    {
        if (waitTicks <= MinimumLateTicks || waitTicks <= callerTicks / 2)
        {
            _late = 0;
            if (++_onTime >= OnTimeRegionsToForgive)
            {
                _soloLength = FirstSoloRegions;
            }

            return;
        }

        _onTime = 0;
        if (++_late >= LateRegionsBeforeSolo)
        {
            _late = 0;
            _soloLeft = _soloLength;
            _soloLength = Math.Min(MaxSoloRegions, _soloLength * 2);
        }
    }
}
