using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>
/// CI runs this suite once per ISA tier and sets RNNK_EXPECT_TIER to the tier it means to exercise, so a silent
/// fallback (say, NEON not detected under emulation) fails the run instead of passing for it.
/// </summary>
public sealed class ActiveTierTests(ITestOutputHelper output)
{
    [Fact]
    public void BestTierIsTheOneCiAskedFor()
    {
        output.WriteLine($"Best kernel tier: {KernelTiers.Best}; supported: {string.Join(", ", KernelTiers.Supported)}");
        string? expected = Environment.GetEnvironmentVariable("RNNK_EXPECT_TIER");
        if (!string.IsNullOrEmpty(expected))
        {
            Assert.Equal(Enum.Parse<IsaTier>(expected), KernelTiers.Best);
        }

        Assert.Contains(KernelTiers.Best, KernelTiers.Supported);
        Assert.Contains(IsaTier.Scalar, KernelTiers.Supported);
    }
}
