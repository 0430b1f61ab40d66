using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>
/// The optimizer steps on every tier and every length up to a few vectors (and two long ones), each element equal
/// bitwise to the plain scalar expression: Adam and Adagrad round every operation once in the documented order on
/// every tier, SGD with momentum rounds each multiply-add once where the tier has FMA and twice on the scalar tier. An
/// element's bits therefore do not depend on where it sits (a vector body, the overlapping tail, a short span).
/// </summary>
public sealed class OptimizerStepTests
{
    private static readonly int[] Lengths = [.. Enumerable.Range(0, 70), 127, 128, 129, 1000, 4099];

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void AdamMatchesTheScalarExpressionBitwise(IsaTier tier)
    {
        var random = new Random(3);
        const float B1 = 0.9f, B2 = 0.999f, Eps = 1e-8f;
        foreach (int length in Lengths)
        {
            float[] p = Values(random, length), g = Values(random, length), m = Values(random, length), v = Squares(random, length);
            float stepSize = 1e-3f / (1 - 0.9f), rootCorrection = MathF.Sqrt(1 - 0.999f);
            float[] ep = (float[])p.Clone(), em = (float[])m.Clone(), ev = (float[])v.Clone();
            for (int i = 0; i < length; i++)
            {
                em[i] = (em[i] * B1) + (g[i] * (1 - B1));
                ev[i] = (ev[i] * B2) + (g[i] * g[i] * (1 - B2));
                ep[i] -= stepSize * em[i] / ((MathF.Sqrt(ev[i]) / rootCorrection) + Eps);
            }

            OptimizerSteps.Adam(tier, p, g, m, v, stepSize, B1, B2, rootCorrection, Eps);
            Assert.Equal(em, m);
            Assert.Equal(ev, v);
            Assert.Equal(ep, p);
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void AdagradMatchesTheScalarExpressionBitwise(IsaTier tier)
    {
        var random = new Random(5);
        foreach (int length in Lengths)
        {
            float[] p = Values(random, length), g = Values(random, length), s = Squares(random, length);
            float[] ep = (float[])p.Clone(), es = (float[])s.Clone();
            for (int i = 0; i < length; i++)
            {
                es[i] += g[i] * g[i];
                ep[i] -= 0.01f * g[i] / (MathF.Sqrt(es[i]) + 1e-10f);
            }

            OptimizerSteps.Adagrad(tier, p, g, s, 0.01f, 1e-10f);
            Assert.Equal(es, s);
            Assert.Equal(ep, p);
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void SgdMomentumRoundsEachLineOnceWhereTheTierHasFma(IsaTier tier)
    {
        bool fused = tier != IsaTier.Scalar && (Fma.IsSupported || AdvSimd.IsSupported);
        var random = new Random(9);
        int differences = 0;
        foreach (int length in Lengths)
        {
            float[] p = Values(random, length), g = Values(random, length), v = Values(random, length);
            float[] ep = (float[])p.Clone(), ev = (float[])v.Clone();
            for (int i = 0; i < length; i++)
            {
                float once = MathF.FusedMultiplyAdd(0.9f, ev[i], g[i]), twice = (0.9f * ev[i]) + g[i];
                differences += once != twice ? 1 : 0;
                ev[i] = fused ? once : twice;
                ep[i] = fused ? MathF.FusedMultiplyAdd(-0.05f, ev[i], ep[i]) : (-0.05f * ev[i]) + ep[i];
            }

            OptimizerSteps.SgdMomentum(tier, p, g, v, 0.05f, 0.9f);
            Assert.Equal(ev, v);
            Assert.Equal(ep, p);
        }

        Assert.True(differences > 100, $"only {differences} inputs tell one rounding from two");
    }

    [Fact]
    public void RejectsMismatchedLengthsAndSharedBuffers()
    {
        float[] buffer = new float[40];
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => OptimizerSteps.Adagrad(buffer.AsSpan(0, 10), buffer.AsSpan(10, 9), buffer.AsSpan(20, 10), 0.1f, 1e-10f)).ParamName);
        Assert.Equal("velocity", Assert.Throws<ArgumentException>(() => OptimizerSteps.SgdMomentum(buffer.AsSpan(0, 10), buffer.AsSpan(10, 10), buffer.AsSpan(20, 11), 0.1f, 0.9f)).ParamName);
        Assert.Equal("v", Assert.Throws<ArgumentException>(() => OptimizerSteps.Adam(buffer.AsSpan(0, 10), buffer.AsSpan(10, 10), buffer.AsSpan(20, 10), buffer.AsSpan(25, 10), 1e-3f, 0.9f, 0.999f, 0.03f, 1e-8f)).ParamName);
        Assert.Equal("sum", Assert.Throws<ArgumentException>(() => OptimizerSteps.Adagrad(buffer.AsSpan(0, 10), buffer.AsSpan(10, 10), buffer.AsSpan(0, 10), 0.1f, 1e-10f)).ParamName);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => OptimizerSteps.SgdMomentum(buffer.AsSpan(0, 10), buffer.AsSpan(5, 10), buffer.AsSpan(20, 10), 0.1f, 0.9f)).ParamName);
        Assert.All(buffer, value => Assert.Equal(0f, value)); // a refused step writes nothing
    }

    private static float[] Values(Random random, int length) => [.. Enumerable.Range(0, length).Select(_ => (random.NextSingle() * 8) - 4)];

    private static float[] Squares(Random random, int length) => [.. Enumerable.Range(0, length).Select(_ => random.NextSingle() * 4)];
}
