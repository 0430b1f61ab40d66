using System.Globalization;

namespace RnnKernels.Cli.Tests;

/// <summary>Tests whose figures depend on what else the process runs at the same moment, so nothing else may.</summary>
[CollectionDefinition(nameof(ProcessWideMeasurements), DisableParallelization = true)]
public sealed class ProcessWideMeasurements;

/// <summary>
/// rnnk bench's allocation figure, in-process: GEMM scratch is shared by the process's concurrent products, so tests
/// running products on other threads at the same moment could make the measured thread create a scratch set (a
/// one-time cost that bench, averaging over its steps, reports as bytes per step).
/// </summary>
[Collection(nameof(ProcessWideMeasurements))]
public sealed class BenchCommandTests
{
    [Fact]
    public void BenchReportsZeroAllocationsPerStep()
    {
        (int code, string output, string error) = Rnnk.Run("bench", "--seq", "8", "--batch", "3", "--input", "5", "--hidden", "17", "--output", "5", "--seconds", "0.2");
        Assert.True(code == 0, error);
        Assert.Equal("0", Rnnk.Field(output, "alloc_bytes_per_step"));
        Assert.True(double.Parse(Rnnk.Field(output, "ms_per_step"), CultureInfo.InvariantCulture) > 0);
    }

    [Theory]
    [InlineData("lstm", 4)]
    [InlineData("gru", 3)]
    public void BenchCountsEveryGateBlockInItsFlops(string cell, int gates)
    {
        (int code, string output, string error) = Rnnk.Run("bench", "--cell", cell, "--seq", "8", "--batch", "3", "--input", "5", "--hidden", "17", "--output", "5", "--seconds", "0.2");
        Assert.True(code == 0, error);
        Assert.Equal(cell, Rnnk.Field(output, "cell"));
        Assert.Equal("0", Rnnk.Field(output, "alloc_bytes_per_step"));
        double ms = double.Parse(Rnnk.Field(output, "ms_per_step"), CultureInfo.InvariantCulture);
        double gflops = double.Parse(Rnnk.Field(output, "gflops"), CultureInfo.InvariantCulture);
        double flops = 6.0 * 8 * 3 * ((gates * 5 * 17) + (gates * 17 * 17) + (17 * 5));
        Assert.InRange(gflops, flops / (ms * 1e6) * 0.99, (flops / (ms * 1e6) * 1.01) + 0.01);
    }
}
