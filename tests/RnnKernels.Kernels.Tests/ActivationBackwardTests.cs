using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

public sealed class ActivationBackwardTests
{
    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void TanhBackwardMatchesDoubleReferenceAtEveryLength(IsaTier tier)
    {
        var random = new Random(11);
        for (int length = 0; length <= 140; length++)
        {
            (float[] y, float[] dy) = Inputs(random, length, -1, 1);
            float[] dx = new float[length];
            Activations.TanhBackward(tier, y, dy, dx);
            for (int i = 0; i < length; i++)
            {
                double want = dy[i] * (1 - ((double)y[i] * y[i]));
                Assert.True(Math.Abs(dx[i] - want) <= 2.5e-7 * Math.Abs(dy[i]), $"{tier} length {length}: dx[{i}] = {dx[i]}, expected {want}");
            }

            float[] inPlace = (float[])dy.Clone();
            Activations.TanhBackward(tier, y, inPlace, inPlace);
            Assert.Equal(dx, inPlace);
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void ReluForwardAndBackwardAtEveryLength(IsaTier tier)
    {
        var random = new Random(12);
        for (int length = 0; length <= 140; length++)
        {
            (float[] x, float[] dy) = Inputs(random, length, -3, 3);
            float[] y = new float[length], dx = new float[length];
            Activations.Relu(tier, x, y);
            Activations.ReluBackward(tier, y, dy, dx);
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(x[i] > 0 ? x[i] : 0f, y[i]);
                Assert.Equal(x[i] > 0 ? dy[i] : 0f, dx[i]);
            }

            Activations.Relu(tier, x, x);
            Assert.Equal(y, x);
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void ReluPassesNaNAndZeroesNegativeZero(IsaTier tier)
    {
        float[] x = [float.NaN, -0f, float.NegativeInfinity, float.PositiveInfinity];
        float[] y = new float[4];
        Activations.Relu(tier, x, y);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(y[1]));
        Assert.Equal(0f, y[2]);
        Assert.Equal(float.PositiveInfinity, y[3]);
    }

    [Fact]
    public void BackwardRejectsMismatchedLengths()
    {
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => Activations.TanhBackward(new float[4], new float[3], new float[4])).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => Activations.ReluBackward(new float[4], new float[4], new float[3])).ParamName);
    }

    private static (float[] A, float[] B) Inputs(Random random, int length, double lo, double hi)
    {
        float[] a = new float[length], b = new float[length];
        for (int i = 0; i < length; i++)
        {
            a[i] = (float)(lo + (random.NextDouble() * (hi - lo)));
            b[i] = (float)((random.NextDouble() * 4) - 2);
        }

        return (a, b);
    }
}
