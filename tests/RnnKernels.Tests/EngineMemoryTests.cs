using RnnKernels;

namespace RnnKernels.Tests;

/// <summary>Tests that read the process's GC heap size, so nothing else may allocate while they run.</summary>
[CollectionDefinition(nameof(HeapMeasurements), DisableParallelization = true)]
public sealed class HeapMeasurements;

/// <summary>An engine's memory is the host's to release.</summary>
[Collection(nameof(HeapMeasurements))]
public sealed class EngineMemoryTests
{
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void MemoryBytesIsWhatTheEngineHoldsAndDisposeReleasesIt(CellKind cell)
    {
        var shape = new RnnShape(64, 256, 64, layers: 2, cell: cell);
        var model = new RnnModel(shape, seed: 1);
        long baseline = HeapAfterCollection();
        using var engine = new RnnEngine(model, 256, 32);
        long bytes = engine.MemoryBytes;
        Assert.True(bytes > 10_000_000, $"engine reports {bytes} bytes");
        long held = HeapAfterCollection();
        // Every buffer the engine holds is counted (the workspace allocates through one tally): the heap grew by what
        // it reports, give or take the small objects around the buffers.
        Assert.True(Math.Abs(held - baseline - bytes) <= (bytes / 100) + 200_000, $"the heap grew {held - baseline} bytes, the engine reports {bytes}");
        engine.Dispose();
        Assert.Equal(0, engine.MemoryBytes);
        long after = HeapAfterCollection();
        Assert.True(held - after >= bytes * 9 / 10, $"Dispose released {held - after} bytes of an engine of {bytes}");
        Assert.True(after - baseline < 1_000_000, $"{after - baseline} bytes still held after Dispose");
        Assert.Throws<ObjectDisposedException>(() => engine.Forward(new float[64], 1, 1));
        Assert.Throws<ObjectDisposedException>(() => engine.Gradients.Length);
        GC.KeepAlive(engine);
    }

    // Live bytes after a full collection (not the heap's committed size, which keeps freed space for reuse).
    private static long HeapAfterCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
