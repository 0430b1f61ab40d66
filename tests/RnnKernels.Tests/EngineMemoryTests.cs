using RnnKernels;

namespace RnnKernels.Tests;

/// <summary>Tests that read the process's GC heap size, so nothing else may allocate while they run.</summary>
[CollectionDefinition(nameof(HeapMeasurements), DisableParallelization = true)]
public sealed class HeapMeasurements;

/// <summary>An engine's memory is the host's to release.</summary>
[Collection(nameof(HeapMeasurements))]
public sealed class EngineMemoryTests
{
    [Fact]
    public void DisposedEngineReleasesItsMemoryAndRefusesUse()
    {
        var shape = new RnnShape(64, 256, 64, layers: 2);
        var model = new RnnModel(shape, seed: 1);
        long baseline = HeapAfterCollection();
        using var engine = new RnnEngine(model, 256, 32);
        long bytes = engine.MemoryBytes;
        Assert.True(bytes > 10_000_000, $"engine reports {bytes} bytes");
        long held = HeapAfterCollection();
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
