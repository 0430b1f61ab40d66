using System.Runtime.CompilerServices;
namespace RnnKernels.Kernels;

/// <summary>
/// Softmax cross-entropy rows split over a <see cref="WorkerPool"/>: each part handles a contiguous range of rows
/// and stores each row's loss, which the caller sums in row order (so the total does not depend on the split).
/// One instance per pool, reused; its loss buffer grows once to the largest row count seen.
/// </summary>
internal sealed unsafe class SoftmaxParallelWork : IParallelWork
{
    private IsaTier _tier;
    private float* _logits;
    private int* _targets;
    private float* _gradient;
    private int _rows, _classes;
    private float _scale;
    private double[] _rowLoss = [];

    public void Set(IsaTier tier, float* logits, int* targets, int rows, int classes, float scale, float* gradient)
    {
        _tier = tier;
        _logits = logits;
        _targets = targets;
        _gradient = gradient;
        (_rows, _classes, _scale) = (rows, classes, scale);
        if (_rowLoss.Length < rows)
        {
            _rowLoss = new double[rows];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int parts)
    {
        int chunk = (_rows + parts - 1) / parts;
        int end = Math.Min(_rows, (part + 1) * chunk);
        for (int r = part * chunk; r < end; r++)
        {
            var z = new ReadOnlySpan<float>(_logits + ((nint)r * _classes), _classes);
            var dz = new Span<float>(_gradient + ((nint)r * _classes), _classes);
            _rowLoss[r] = SoftmaxRow.Compute(_tier, z, _targets[r], _scale, dz);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double SumInRowOrder()
    {
        double loss = 0;
        for (int r = 0; r < _rows; r++)
        {
            loss += _rowLoss[r];
        }

        return loss;
    }
}
