using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

public sealed class SigmoidTests(ITestOutputHelper output)
{
    private const int MaxUlp = 4;
    private const float SmallestNormal = 1.17549435e-38f;

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void DenseSweepOfAllFloatsIsWithinFourUlpWhereTheResultIsNormal(IsaTier tier)
    {
        // Every stride-th positive float and its negation (every float with RNNK_TANH_SWEEP_STRIDE=1), against the
        // correctly rounded double result. Where that is subnormal the kernel flushes to zero.
        int stride = int.TryParse(Environment.GetEnvironmentVariable("RNNK_TANH_SWEEP_STRIDE"), out int s) && s > 0 ? s : 61;
        const int Batch = 4096;
        float[] x = new float[Batch], y = new float[Batch];
        long worst = 0, count = 0, bits = 0;
        float worstX = 0;
        while (bits < 0x7F800000L)
        {
            int filled = 0;
            for (; filled < Batch - 1 && bits < 0x7F800000L; filled += 2, bits += stride)
            {
                float v = BitConverter.Int32BitsToSingle((int)bits);
                x[filled] = v;
                x[filled + 1] = -v;
            }

            Activations.Sigmoid(tier, x.AsSpan(0, filled), y);
            for (int i = 0; i < filled; i++)
            {
                float want = (float)(1 / (1 + Math.Exp(-(double)x[i])));
                if (want < SmallestNormal)
                {
                    Assert.True(y[i] == 0f || Ulp.Distance(y[i], want) <= MaxUlp, $"{tier}: sigmoid({x[i]:R}) = {y[i]:R}, want {want:R} or 0");
                    continue;
                }

                long error = Ulp.Distance(y[i], want);
                if (error > worst)
                {
                    worst = error;
                    worstX = x[i];
                }

                if (!(y[i] >= 0f && y[i] <= 1f))
                {
                    Assert.Fail($"{tier}: sigmoid({x[i]:R}) = {y[i]:R} is outside [0, 1]");
                }
            }

            count += filled;
        }

        output.WriteLine($"{tier}: {count} floats (stride {stride}), worst error {worst} ulp at x = {worstX:R}");
        Assert.True(worst <= MaxUlp, $"{tier}: worst error {worst} ulp at x = {worstX:R}");
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void SpecialValuesSaturateExactly(IsaTier tier)
    {
        float[] x = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 17f, 100f, float.MaxValue, -88f, -1000f, -float.MaxValue, float.Epsilon, -87.3f];
        float[] y = new float[x.Length];
        Activations.Sigmoid(tier, x, y);
        Assert.Equal(0.5f, y[0]);
        Assert.Equal(0.5f, y[1]);
        Assert.Equal(1f, y[2]);
        Assert.Equal(0, BitConverter.SingleToInt32Bits(y[3]));
        Assert.True(float.IsNaN(y[4]));
        Assert.Equal([1f, 1f, 1f], y[5..8]);
        Assert.Equal([0f, 0f, 0f], y[8..11]);
        Assert.Equal(0.5f, y[11]);
        Assert.True(y[12] >= SmallestNormal, $"sigmoid(-87.3) = {y[12]:R} must stay normal");
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void EveryLengthInPlaceOutOfPlaceAndBackward(IsaTier tier)
    {
        var random = new Random(5);
        for (int length = 0; length <= 260; length++)
        {
            float[] x = [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 40) - 20))];
            float[] dy = [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1))];
            float[] y = new float[length + 1];
            y[length] = 99f;
            Activations.Sigmoid(tier, x, y);
            Assert.Equal(99f, y[length]);
            float[] inPlace = (float[])x.Clone();
            Activations.Sigmoid(tier, inPlace, inPlace);
            float[] dx = new float[length + 1];
            dx[length] = 99f;
            Activations.SigmoidBackward(tier, y.AsSpan(0, length), dy, dx);
            Assert.Equal(99f, dx[length]);
            for (int i = 0; i < length; i++)
            {
                double s = 1 / (1 + Math.Exp(-(double)x[i]));
                Assert.True(Ulp.Distance(y[i], (float)s) <= MaxUlp, $"{tier} length {length}: sigmoid({x[i]:R}) = {y[i]:R}");
                Assert.Equal(y[i], inPlace[i]);
                double want = dy[i] * (double)y[i] * (1 - (double)y[i]);
                Assert.True(Math.Abs(dx[i] - want) <= 2e-7 * Math.Max(Math.Abs(want), 1e-30) + 1e-45, $"{tier}: backward at {i}: {dx[i]:R} vs {want:R}");
            }
        }
    }

    [Fact]
    public void RejectsShortDestinationAndPartialOverlap()
    {
        float[] buffer = new float[20];
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Activations.Sigmoid(buffer.AsSpan(0, 10), buffer.AsSpan(10, 9))).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Activations.Sigmoid(buffer.AsSpan(0, 10), buffer.AsSpan(1, 10))).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => Activations.SigmoidBackward(buffer.AsSpan(0, 10), buffer.AsSpan(0, 10), buffer.AsSpan(5, 10))).ParamName);
    }
}
