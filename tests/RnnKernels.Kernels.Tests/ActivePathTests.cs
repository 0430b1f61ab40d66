using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>
/// CI runs this suite once per ISA tier and sets RNNK_EXPECT_PATH to the tier it means to exercise, so a silent
/// fallback (say, NEON not detected under emulation) fails the run instead of passing for it.
/// </summary>
public sealed class ActivePathTests(ITestOutputHelper output)
{
    [Fact]
    public void BestPathIsTheOneCiAskedFor()
    {
        output.WriteLine($"Best kernel path: {KernelPaths.Best}; supported: {string.Join(", ", KernelPaths.Supported)}");
        string? expected = Environment.GetEnvironmentVariable("RNNK_EXPECT_PATH");
        if (!string.IsNullOrEmpty(expected))
        {
            Assert.Equal(Enum.Parse<IsaPath>(expected), KernelPaths.Best);
        }

        Assert.Contains(KernelPaths.Best, KernelPaths.Supported);
        Assert.Contains(IsaPath.Scalar, KernelPaths.Supported);
    }
}
