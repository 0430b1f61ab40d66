using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using RnnKernels.Kernels;

namespace RnnKernels.Benchmarks;

/// <summary>
/// Softmax cross-entropy with its gradient over the logits of a training step, on every tier the process runs, against
/// TensorPrimitives.SoftMax row by row (the softmax alone, without the loss and the gradient's scale and one-hot, so
/// the peer does less work). Shapes: the Elman mid-b16 bench preset (T*B = 1024 rows of 128 classes), a char model
/// (25 rows of 65), and a large vocabulary (4096 rows of 512).
/// </summary>
[MemoryDiagnoser]
public class SoftmaxBenchmarks
{
    private float[] _logits = [], _gradient = [];
    private int[] _targets = [];

    [Params("1024x128", "25x65", "4096x512")]
    public string Shape { get; set; } = "1024x128";

    [ParamsSource(nameof(Tiers))]
    public IsaTier Tier { get; set; }

    public static IEnumerable<IsaTier> Tiers => KernelTiers.Supported;

    private int Rows => int.Parse(Shape.Split('x')[0]);

    private int Classes => int.Parse(Shape.Split('x')[1]);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(4);
        _logits = [.. Enumerable.Range(0, Rows * Classes).Select(_ => (random.NextSingle() * 8) - 4)];
        _targets = [.. Enumerable.Range(0, Rows).Select(_ => random.Next(Classes))];
        _gradient = new float[_logits.Length];
    }

    [Benchmark(Baseline = true)]
    public void TensorPrimitivesSoftMaxRows()
    {
        int classes = _logits.Length / _targets.Length;
        for (int r = 0; r < _targets.Length; r++)
        {
            TensorPrimitives.SoftMax(_logits.AsSpan(r * classes, classes), _gradient.AsSpan(r * classes, classes));
        }
    }

    [Benchmark]
    public double RnnKernelsSoftmaxCrossEntropy() => SoftmaxCrossEntropy.Compute(Tier, _logits, _targets, _logits.Length / _targets.Length, 1f, _gradient, null);
}
