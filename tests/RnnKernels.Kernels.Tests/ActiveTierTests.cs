using System.Runtime.InteropServices;
using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>
/// The kernels run the widest tier the machine and the runtime's switches allow. CI runs this suite once per ISA tier
/// and sets RNNK_EXPECT_TIER to the tier it means to exercise; without it the expected tier is worked out from the
/// CPU's own flags (/proc/cpuinfo) and the DOTNET_Enable* switches, so a silent fallback fails here too.
/// </summary>
public sealed class ActiveTierTests(ITestOutputHelper output)
{
    [Fact]
    public void BestTierIsTheWidestTheMachineAllows()
    {
        output.WriteLine($"Best kernel tier: {KernelTiers.Best}; supported: {string.Join(", ", KernelTiers.Supported)}");
        string? asked = Environment.GetEnvironmentVariable("RNNK_EXPECT_TIER");
        IsaTier? expected = !string.IsNullOrEmpty(asked) ? Enum.Parse<IsaTier>(asked) : FromMachine();
        Assert.True(expected is not null, "no RNNK_EXPECT_TIER and no /proc/cpuinfo to work the tier out from");
        Assert.Equal(expected, KernelTiers.Best);
        Assert.Contains(KernelTiers.Best, KernelTiers.Supported);
        Assert.Contains(IsaTier.Scalar, KernelTiers.Supported);
    }

    /// <summary>The tier the CPU's flags and the runtime's switches give, or null where the flags cannot be read.</summary>
    private static IsaTier? FromMachine()
    {
        if (Disabled("DOTNET_EnableHWIntrinsic"))
        {
            return IsaTier.Scalar;
        }

        if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
        {
            return IsaTier.Neon;
        }

        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !File.Exists("/proc/cpuinfo"))
        {
            return null;
        }

        string flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
        HashSet<string> has = [.. flags.Split([' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries)];
        bool avx2 = has.Contains("avx2") && has.Contains("fma") && !Disabled("DOTNET_EnableAVX2") && !Disabled("DOTNET_EnableAVX");
        bool avx512 = avx2 && has.Contains("avx512f") && has.Contains("avx512bw") && has.Contains("avx512cd") && has.Contains("avx512dq")
            && has.Contains("avx512vl") && !Disabled("DOTNET_EnableAVX512") && !Disabled("DOTNET_EnableAVX512F");
        return avx512 ? IsaTier.Avx512 : avx2 ? IsaTier.Avx2Fma : IsaTier.Vector128;
    }

    private static bool Disabled(string variable) => Environment.GetEnvironmentVariable(variable) == "0";
}
