using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>
/// Softmax cross-entropy on every tier against a float64 reference, at row lengths around each tier's vector width
/// and its summation blocks (32 vectors: 32, 128, 256 and 512 elements), with the gradient written over the logits
/// themselves as well as beside them.
/// </summary>
public sealed class SoftmaxCrossEntropyTests
{
    private static readonly int[] Classes = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 65, 127, 129, 255, 257, 511, 513, 1000, 4099];

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void LossAndGradientMatchTheFloat64Reference(IsaTier tier)
    {
        var random = new Random(11);
        foreach (int classes in Classes)
        {
            foreach (bool inPlace in new[] { false, true })
            {
                const int Rows = 3;
                float[] logits = [.. Enumerable.Range(0, Rows * classes).Select(_ => (random.NextSingle() * 40) - 20)];
                int[] targets = [random.Next(classes), -1, classes - 1];
                float[] original = (float[])logits.Clone();
                float[] gradient = inPlace ? logits : new float[Rows * classes];
                double loss = SoftmaxCrossEntropy.Compute(tier, logits, targets, classes, 0.5f, gradient, null);

                double expectedLoss = 0;
                for (int r = 0; r < Rows; r++)
                {
                    ReadOnlySpan<float> z = original.AsSpan(r * classes, classes);
                    for (int j = 0; j < classes; j++)
                    {
                        double want = targets[r] < 0 ? 0 : 0.5 * (Softmax(z, j) - (j == targets[r] ? 1 : 0));
                        Assert.True(Math.Abs(gradient[(r * classes) + j] - want) <= 2e-7,
                            $"{classes} classes, in place {inPlace}, row {r}: dz[{j}] = {gradient[(r * classes) + j]}, expected {want}");
                    }

                    if (targets[r] >= 0)
                    {
                        expectedLoss += LogSumExp(z) - z[targets[r]];
                    }
                }

                Assert.True(Math.Abs(loss - expectedLoss) <= 1e-6 * Math.Max(1, expectedLoss), $"{classes} classes: loss {loss} vs {expectedLoss}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void ANaNLogitGivesANaNLoss(IsaTier tier)
    {
        foreach (int classes in new[] { 3, 9, 65 })
        {
            float[] logits = new float[classes];
            logits[classes / 2] = float.NaN;
            double loss = SoftmaxCrossEntropy.Compute(tier, logits, [0], classes, 1f, new float[classes], null);
            Assert.True(double.IsNaN(loss), $"{classes} classes: {loss}");
        }
    }

    private static double LogSumExp(ReadOnlySpan<float> z)
    {
        double max = double.NegativeInfinity;
        foreach (float v in z)
        {
            max = Math.Max(max, v);
        }

        double sum = 0;
        foreach (float v in z)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum);
    }

    private static double Softmax(ReadOnlySpan<float> z, int j) => Math.Exp(z[j] - LogSumExp(z));
}
