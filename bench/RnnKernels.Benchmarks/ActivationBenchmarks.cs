using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RnnKernels.Kernels;

namespace RnnKernels.Benchmarks;

/// <summary>
/// tanh and sigmoid on every tier the process runs, side by side, against TensorPrimitives (the BCL's vectorised ones,
/// on the widest vectors it uses) and a scalar MathF loop.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ActivationBenchmarks
{
    private float[] _x = [], _y = [];

    [Params(4096, 1 << 20)]
    public int Length { get; set; }

    [ParamsSource(nameof(Tiers))]
    public IsaTier Tier { get; set; }

    public static IEnumerable<IsaTier> Tiers => KernelTiers.Supported;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        _x = new float[Length];
        for (int i = 0; i < Length; i++)
        {
            _x[i] = (float)((random.NextDouble() * 6) - 3);
        }

        _y = new float[Length];
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("tanh")]
    public void TensorPrimitivesTanh() => TensorPrimitives.Tanh(_x, _y);

    [Benchmark]
    [BenchmarkCategory("tanh")]
    public void RnnKernelsTanh() => Activations.Tanh(Tier, _x, _y);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("sigmoid")]
    public void TensorPrimitivesSigmoid() => TensorPrimitives.Sigmoid(_x, _y);

    [Benchmark]
    [BenchmarkCategory("sigmoid")]
    public void RnnKernelsSigmoid() => Activations.Sigmoid(Tier, _x, _y);

    [Benchmark]
    [BenchmarkCategory("tanh")]
    public void ScalarTanhLoop()
    {
        float[] x = _x, y = _y;
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = MathF.Tanh(x[i]);
        }
    }
}
