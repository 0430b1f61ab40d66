using RnnKernels.Kernels;

namespace RnnKernels.Native;

/// <summary>
/// An engine handle's object: the engine, the worker pool it owns (when created with threads &gt; 1), and buffers
/// for the C ABI's int64 targets and lengths (PyTorch's index type), converted without allocating.
/// </summary>
internal sealed class NativeEngine(RnnEngine engine, WorkerPool? pool) : IDisposable
{
    private readonly int[] _targets = new int[engine.MaxSteps * engine.MaxBatch];
    private readonly int[] _lengths = new int[engine.MaxBatch];

    public RnnEngine Engine { get; } = engine;

    /// <summary>Class targets as the engine takes them.</summary>
    /// <exception cref="ArgumentException">More values than T_max x B_max, or one outside the int range.</exception>
    public ReadOnlySpan<int> Targets(ReadOnlySpan<long> values) => Narrow(values, _targets, "targets");

    /// <summary>Lengths as the engine takes them.</summary>
    /// <exception cref="ArgumentException">More values than B_max, or one outside the int range.</exception>
    public ReadOnlySpan<int> Lengths(ReadOnlySpan<long> values) => Narrow(values, _lengths, "lengths");

    private static ReadOnlySpan<int> Narrow(ReadOnlySpan<long> values, int[] buffer, string name)
    {
        if (values.Length > buffer.Length)
        {
            throw new ArgumentException($"{name} has {values.Length} values, more than this engine's maximum of {buffer.Length}.", name);
        }

        for (int i = 0; i < values.Length; i++)
        {
            long value = values[i];
            buffer[i] = value is >= int.MinValue and <= int.MaxValue
                ? (int)value
                : throw new ArgumentException($"{name}[{i}] = {value} is out of range.", name);
        }

        return buffer.AsSpan(0, values.Length);
    }

    public void Dispose()
    {
        Engine.Dispose();
        pool?.Dispose();
    }
}
