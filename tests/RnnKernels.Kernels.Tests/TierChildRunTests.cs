using System.Diagnostics;
using System.Runtime.InteropServices;
using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>
/// The tiers a process cannot switch to in-process: this test assembly reruns itself in a child process with
/// DOTNET_EnableAVX512=0 (AVX2+FMA as the best tier), DOTNET_EnableAVX2=0 (Vector128) and DOTNET_EnableHWIntrinsic=0
/// (scalar), as ImageSharp's FeatureTestRunner does, so a plain <c>dotnet test</c> checks what CI checks per tier.
/// RNNK_EXPECT_TIER makes the child fail if it ran another tier. x64 only (NEON runs under qemu in CI); skipped where
/// the tier is already this process's best, and with RNNK_TIER_CHILD_RUNS=0 (CI runs each tier as its own step).
/// </summary>
public sealed class TierChildRunTests(ITestOutputHelper output)
{
    public static TheoryData<string, IsaTier> Tiers => new()
    {
        { "DOTNET_EnableAVX512", IsaTier.Avx2Fma },
        { "DOTNET_EnableAVX2", IsaTier.Vector128 },
        { "DOTNET_EnableHWIntrinsic", IsaTier.Scalar },
    };

    [Theory]
    [MemberData(nameof(Tiers))]
    public async Task KernelTestsPassWithTheWiderTiersDisabled(string variable, IsaTier expected)
    {
        Assert.SkipWhen(Environment.GetEnvironmentVariable("RNNK_TIER_CHILD_RUNS") == "0", "RNNK_TIER_CHILD_RUNS=0: the caller runs each tier itself.");
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "The DOTNET_Enable* switches select x64 tiers.");
        Assert.SkipWhen(KernelTiers.Best == expected, $"{expected} is this process's best tier already, tested in-process.");
        Assert.SkipUnless(KernelTiers.IsSupported(expected), $"This CPU has no {expected} tier.");

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[]
        {
            "exec", typeof(TierChildRunTests).Assembly.Location, "-class-", typeof(TierChildRunTests).FullName!, "-noColor", "-noLogo",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[variable] = "0";
        start.Environment["RNNK_EXPECT_TIER"] = expected.ToString();
        start.Environment["RNNK_TIER_CHILD_RUNS"] = "0";
        using Process child = Process.Start(start) ?? throw new InvalidOperationException("could not start the child test run");
        Task<string> stdout = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> stderr = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(10));
        bool exited = true;
        try
        {
            await child.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            exited = false;
            child.Kill(entireProcessTree: true);
        }

        string log = await stdout + await stderr;
        string summary = string.Join('\n', log.Split('\n').Where(l => l.Contains("Total:", StringComparison.Ordinal) || l.Contains("[FAIL]", StringComparison.Ordinal)));
        output.WriteLine($"{variable}=0 ({expected}): {summary}");
        Assert.True(exited, $"{variable}=0: the child test run did not finish in 10 minutes");
        Assert.True(child.ExitCode == 0, $"{variable}=0: the kernel tests failed on the {expected} tier:\n{log[Math.Max(0, log.Length - 4000)..]}");
    }
}
