using BenchmarkDotNet.Attributes;
using RnnKernels.Kernels;

namespace RnnKernels.Benchmarks;

/// <summary>
/// GEMM at the shapes an RNN lives on (M = batch against square weights) and at 512^3 / 1024^3, on every tier the
/// process runs side by side, against OpenBLAS cblas_sgemm on one thread in the same run. GFLOP/s = 2 M N K / time. RnnKernelsGemmPackedB is the same product with
/// B packed beforehand (<see cref="PackedMatrix"/>), as a recurrence does once for its T step products.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];
    private int _m, _n, _k;
    private PackedMatrix _packedB = new(0, 0);

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    [ParamsSource(nameof(Tiers))]
    public IsaTier Tier { get; set; }

    public static IEnumerable<IsaTier> Tiers => KernelTiers.Supported.Where(t => t != IsaTier.Scalar);

    // The shapes the targets name: a batch-1 step, the mid and large recurrent steps, 512^3 and 1024^3; and an LSTM's
    // gate product at H = 256, batch 16, whose B row stride of 1024 floats (4 KiB) makes the driver pack B rather than
    // read it in place.
    public static IEnumerable<string> Shapes =>
        ["1x512x512", "16x256x256", "64x512x512", "512x512x512", "1024x1024x1024", "16x1024x256"];

    [GlobalSetup]
    public void Setup()
    {
        int[] mnk = Array.ConvertAll(Shape.Split('x'), int.Parse);
        (_m, _n, _k) = (mnk[0], mnk[1], mnk[2]);
        var random = new Random(1);
        _a = Fill(random, _m * _k);
        _b = Fill(random, _k * _n);
        _c = new float[_m * _n];
        _packedB = new PackedMatrix(_k, _n);
        _packedB.Pack(Tier, Transpose.No, _k, _n, _b, _n);
        OpenBlas.SetThreads(1);
    }

    [Benchmark(Baseline = true)]
    public void OpenBlasSgemm() => OpenBlas.Sgemm(_m, _n, _k, _a, _b, _c);

    [Benchmark]
    public void RnnKernelsGemm() =>
        Gemm.Compute(Tier, Transpose.No, Transpose.No, _m, _n, _k, 1f, _a, _k, _b, _n, 0f, _c, _n);

    [Benchmark]
    public void RnnKernelsGemmPackedB() => Gemm.Compute(Transpose.No, _m, 1f, _a, _k, _packedB, 0f, _c, _n);

    internal static float[] Fill(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
