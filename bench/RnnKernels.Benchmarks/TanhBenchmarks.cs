using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using RnnKernels.Kernels;

namespace RnnKernels.Benchmarks;

/// <summary>tanh against TensorPrimitives.Tanh (the BCL's vectorised one) and a scalar MathF.Tanh loop.</summary>
[MemoryDiagnoser]
public class TanhBenchmarks
{
    private float[] _x = [], _y = [];

    [Params(4096, (6 * 512) + 7, 1 << 20)]
    public int Length { get; set; }

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
    public void TensorPrimitivesTanh() => TensorPrimitives.Tanh(_x, _y);

    [Benchmark]
    public void RnnKernelsTanh() => Activations.Tanh(_x, _y);

    [Benchmark]
    public void ScalarLoop()
    {
        float[] x = _x, y = _y;
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = MathF.Tanh(x[i]);
        }
    }
}
