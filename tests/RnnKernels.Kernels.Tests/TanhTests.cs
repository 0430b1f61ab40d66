using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

public sealed class TanhTests(ITestOutputHelper output)
{
    private const int MaxUlp = 4;

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void DenseSweepOfAllFloatsIsWithinFourUlpAndOdd(IsaTier tier)
    {
        // Every stride-th positive float (all of them with RNNK_TANH_SWEEP_STRIDE=1), and each one's negation.
        int stride = int.TryParse(Environment.GetEnvironmentVariable("RNNK_TANH_SWEEP_STRIDE"), out int s) && s > 0 ? s : 61;
        const int Batch = 4096;
        float[] x = new float[2 * Batch], y = new float[2 * Batch];
        long worst = 0;
        float worstX = 0;
        long count = 0;
        long bits = 0;
        while (bits < 0x7F800000L)
        {
            int filled = 0;
            for (; filled < Batch && bits < 0x7F800000L; filled++, bits += stride)
            {
                float v = BitConverter.Int32BitsToSingle((int)bits);
                x[2 * filled] = v;
                x[(2 * filled) + 1] = -v;
            }

            Activations.Tanh(tier, x.AsSpan(0, 2 * filled), y);
            for (int i = 0; i < filled; i++)
            {
                float v = x[2 * i];
                float want = (float)Math.Tanh(v);
                long error = Ulp.Distance(y[2 * i], want);
                if (error > worst)
                {
                    worst = error;
                    worstX = v;
                }

                if (BitConverter.SingleToInt32Bits(y[(2 * i) + 1]) != BitConverter.SingleToInt32Bits(-y[2 * i]) || !(y[2 * i] <= 1f))
                {
                    Assert.Fail($"{tier}: tanh({v:R}) = {y[2 * i]:R} but tanh(-x) = {y[(2 * i) + 1]:R}");
                }
            }

            count += filled;
        }

        output.WriteLine($"{tier}: {count} positive floats (stride {stride}), worst error {worst} ulp at x = {worstX:R}");
        Assert.True(worst <= MaxUlp, $"{tier}: worst error {worst} ulp at x = {worstX:R}");
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void SpecialValues(IsaTier tier)
    {
        float[] x = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -float.Epsilon, 1e-30f, 20f, -20f, float.MaxValue, -float.MaxValue];
        float[] y = new float[x.Length];
        Activations.Tanh(tier, x, y);
        Assert.Equal(0, BitConverter.SingleToInt32Bits(y[0]));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(y[1]));
        Assert.Equal(1f, y[2]);
        Assert.Equal(-1f, y[3]);
        Assert.True(float.IsNaN(y[4]));
        Assert.Equal(float.Epsilon, y[5]);
        Assert.Equal(-float.Epsilon, y[6]);
        Assert.Equal(1e-30f, y[7]);
        Assert.Equal([1f, -1f, 1f, -1f], y[8..]);
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void EveryLengthInPlaceAndOutOfPlace(IsaTier tier)
    {
        var random = new Random(3);
        for (int length = 0; length <= 260; length++)
        {
            float[] x = new float[length];
            for (int i = 0; i < length; i++)
            {
                x[i] = (float)((random.NextDouble() * 24) - 12);
            }

            float[] y = new float[length + 1];
            y[length] = 99f;
            Activations.Tanh(tier, x, y);
            Assert.Equal(99f, y[length]);
            float[] inPlace = (float[])x.Clone();
            Activations.Tanh(tier, inPlace, inPlace);
            for (int i = 0; i < length; i++)
            {
                Assert.True(Ulp.Distance(y[i], (float)Math.Tanh(x[i])) <= MaxUlp, $"{tier} length {length}: tanh({x[i]:R}) = {y[i]:R}");
                Assert.Equal(y[i], inPlace[i]);
            }
        }
    }

    [Fact]
    public void RejectsShortDestinationAndPartialOverlap()
    {
        float[] buffer = new float[20];
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Activations.Tanh(buffer.AsSpan(0, 10), buffer.AsSpan(10, 9))).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Activations.Tanh(buffer.AsSpan(0, 10), buffer.AsSpan(1, 10))).ParamName);
    }
}
