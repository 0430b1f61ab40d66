using RnnKernels.Testing;

namespace RnnKernels.Kernels.Tests;

/// <summary>The steady-state measure still sees a call that allocates every time.</summary>
public sealed class SteadyStateAllocationTests
{
    [Fact]
    public void CallThatAllocatesEveryTimeIsReported()
    {
        Assert.True(SteadyStateAllocation.PerCall(() => GC.KeepAlive(new byte[16])) >= 16);
        Assert.Equal(0, SteadyStateAllocation.PerCall(() => GC.KeepAlive(this)));
    }
}
