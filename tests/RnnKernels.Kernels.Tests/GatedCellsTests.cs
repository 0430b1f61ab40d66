using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>The fused LSTM and GRU gate kernels against the equations evaluated in float64, on every tier.</summary>
public sealed class GatedCellsTests
{
    private static readonly int[] Sizes = [1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 100];

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void LstmForwardAndBackwardMatchTheEquations(IsaTier tier)
    {
        foreach (int n in Sizes)
        {
            var random = new Random(n);
            float[] pre = Values(random, 4 * n, 4f), rec = Values(random, 4 * n, 4f), cPrev = Values(random, n, 2f);
            float[] gates = (float[])pre.Clone(), c = new float[n], h = new float[n];
            GatedCells.LstmForward(tier, gates, rec, cPrev, c, h);
            var expectedGates = new double[4 * n];
            for (int j = 0; j < n; j++)
            {
                double i = S(pre[j] + rec[j]), f = S(pre[n + j] + rec[n + j]), g = Math.Tanh(pre[(2 * n) + j] + rec[(2 * n) + j]);
                double o = S(pre[(3 * n) + j] + rec[(3 * n) + j]);
                (expectedGates[j], expectedGates[n + j], expectedGates[(2 * n) + j], expectedGates[(3 * n) + j]) = (i, f, g, o);
                double ct = (f * cPrev[j]) + (i * g);
                Close(ct, c[j], $"{tier} n={n} c[{j}]");
                Close(o * Math.Tanh(ct), h[j], $"{tier} n={n} h[{j}]");
            }

            for (int k = 0; k < 4 * n; k++)
            {
                Close(expectedGates[k], gates[k], $"{tier} n={n} gates[{k}]");
            }

            float[] dh = Values(random, n, 1f), dc = Values(random, n, 1f), dA = new float[4 * n];
            float[] dhIn = (float[])dh.Clone(), dcIn = (float[])dc.Clone();
            GatedCells.LstmBackward(tier, gates, c, cPrev, dh, dc, dA);
            for (int j = 0; j < n; j++)
            {
                double i = gates[j], f = gates[n + j], g = gates[(2 * n) + j], o = gates[(3 * n) + j], tc = Math.Tanh(c[j]);
                double dcTotal = dcIn[j] + (dhIn[j] * o * (1 - (tc * tc)));
                Close(dhIn[j] * tc * o * (1 - o), dA[(3 * n) + j], $"{tier} n={n} dO[{j}]");
                Close(dcTotal * g * i * (1 - i), dA[j], $"{tier} n={n} dI[{j}]");
                Close(dcTotal * cPrev[j] * f * (1 - f), dA[n + j], $"{tier} n={n} dF[{j}]");
                Close(dcTotal * i * (1 - (g * g)), dA[(2 * n) + j], $"{tier} n={n} dG[{j}]");
                Close(dcTotal * f, dc[j], $"{tier} n={n} dcPrev[{j}]");
                Assert.Equal(0f, dh[j]);
            }

            // c may alias c_prev (a stream keeps one state row).
            float[] state = (float[])cPrev.Clone(), again = (float[])pre.Clone(), h2 = new float[n];
            GatedCells.LstmForward(tier, again, rec, state, state, h2);
            Assert.Equal(c, state);
            Assert.Equal(h, h2);
        }
    }

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void GruForwardAndBackwardMatchTheEquations(IsaTier tier)
    {
        foreach (int n in Sizes)
        {
            var random = new Random(100 + n);
            float[] pre = Values(random, 3 * n, 4f), rec = Values(random, 3 * n, 4f), hPrev = Values(random, n, 1f);
            float[] gates = (float[])pre.Clone(), hn = new float[n], h = new float[n];
            GatedCells.GruForward(tier, gates, rec, hPrev, hn, h);
            for (int j = 0; j < n; j++)
            {
                double r = S(pre[j] + rec[j]), z = S(pre[n + j] + rec[n + j]);
                double newGate = Math.Tanh(pre[(2 * n) + j] + (r * rec[(2 * n) + j]));
                Close(r, gates[j], $"{tier} n={n} r[{j}]");
                Close(z, gates[n + j], $"{tier} n={n} z[{j}]");
                Close(newGate, gates[(2 * n) + j], $"{tier} n={n} n[{j}]");
                Assert.Equal(rec[(2 * n) + j], hn[j]);
                Close(((1 - z) * newGate) + (z * hPrev[j]), h[j], $"{tier} n={n} h[{j}]");
            }

            float[] dh = Values(random, n, 1f), dhIn = (float[])dh.Clone(), dA = new float[3 * n], dAn = new float[n];
            GatedCells.GruBackward(tier, gates, hn, hPrev, dh, dA, dAn);
            for (int j = 0; j < n; j++)
            {
                double r = gates[j], z = gates[n + j], newGate = gates[(2 * n) + j];
                double dn = dhIn[j] * (1 - z) * (1 - (newGate * newGate));
                Close(dn, dAn[j], $"{tier} n={n} dAn[{j}]");
                Close(dhIn[j] * (hPrev[j] - newGate) * z * (1 - z), dA[n + j], $"{tier} n={n} dZ[{j}]");
                Close(dn * hn[j] * r * (1 - r), dA[j], $"{tier} n={n} dR[{j}]");
                Close(dn * r, dA[(2 * n) + j], $"{tier} n={n} dN[{j}]");
                Close(dhIn[j] * z, dh[j], $"{tier} n={n} direct[{j}]");
            }

            // h may alias h_prev.
            float[] state = (float[])hPrev.Clone(), again = (float[])pre.Clone();
            GatedCells.GruForward(tier, again, rec, state, new float[n], state);
            Assert.Equal(h, state);
        }
    }

    /// <summary>
    /// Every unit of every hidden size up to 40 equals, bitwise, the same unit (same inputs) computed in a call of
    /// hidden size 40: a unit's result does not depend on whether it falls in a vector body or the tail.
    /// </summary>
    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void AUnitsResultDoesNotDependOnWhereItSits(IsaTier tier)
    {
        const int Wide = 40;
        var random = new Random(17);
        float[][] inputs = [.. Enumerable.Range(0, 8).Select(_ => Values(random, 4 * Wide, 4f))];
        float[][] wide = Kernels(tier, Wide, Wide, inputs);
        for (int n = 1; n < Wide; n++)
        {
            float[][] narrow = Kernels(tier, n, Wide, inputs);
            for (int output = 0; output < narrow.Length; output++)
            {
                int blocks = narrow[output].Length / n;
                for (int k = 0; k < blocks; k++)
                {
                    for (int u = 0; u < n; u++)
                    {
                        Assert.True(
                            narrow[output][(k * n) + u].Equals(wide[output][(k * Wide) + u]),
                            $"{tier}, n = {n}, output {output}, block {k}, unit {u}: {narrow[output][(k * n) + u]:R} vs {wide[output][(k * Wide) + u]:R}");
                    }
                }
            }
        }
    }

    [Fact]
    public void RejectsSpansThatDoNotFitTheHiddenSize()
    {
        Assert.Equal("gates", Assert.Throws<ArgumentException>(() => GatedCells.LstmForward(new float[15], new float[16], new float[4], new float[4], new float[4])).ParamName);
        Assert.Equal("dA", Assert.Throws<ArgumentException>(() => GatedCells.GruBackward(new float[9], new float[3], new float[3], new float[3], new float[8], new float[3])).ParamName);
    }

    /// <summary>
    /// All four kernels at hidden size n, unit u of block k taking input value [k * wide + u] of each input array; returns
    /// their outputs in blocks of n (LSTM forward: gates, c, h; LSTM backward: dh, dc, dA; GRU forward: gates, W_Rn h,
    /// h; GRU backward: dh, dA, dAn).
    /// </summary>
    private static float[][] Kernels(IsaTier tier, int n, int wide, float[][] inputs)
    {
        float[] Take(int input, int blocks)
        {
            float[] values = new float[blocks * n];
            for (int k = 0; k < blocks; k++)
            {
                Array.Copy(inputs[input], k * wide, values, k * n, n);
            }

            return values;
        }

        float[] lstmGates = Take(0, 4), c = new float[n], h = new float[n];
        GatedCells.LstmForward(tier, lstmGates, Take(1, 4), Take(2, 1), c, h);
        float[] dh = Take(3, 1), dc = Take(4, 1), dA = new float[4 * n];
        GatedCells.LstmBackward(tier, Take(5, 4), Take(6, 1), Take(2, 1), dh, dc, dA);
        float[] gruGates = Take(0, 3), recurrentN = new float[n], gruH = new float[n];
        GatedCells.GruForward(tier, gruGates, Take(1, 3), Take(2, 1), recurrentN, gruH);
        float[] gruDh = Take(3, 1), gruDa = new float[3 * n], dAn = new float[n];
        GatedCells.GruBackward(tier, Take(5, 3), Take(6, 1), Take(7, 1), gruDh, gruDa, dAn);
        return [lstmGates, c, h, dh, dc, dA, gruGates, recurrentN, gruH, gruDh, gruDa, dAn];
    }

    private static double S(double x) => 1 / (1 + Math.Exp(-x));

    private static float[] Values(Random random, int count, float range) =>
        [.. Enumerable.Range(0, count).Select(_ => (float)(((random.NextDouble() * 2) - 1) * range))];

    // A few roundings of operands near 1, each within 4 ulp: 2e-6 relative, with an absolute floor for values that
    // are differences of nearly equal terms.
    private static void Close(double expected, float actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= (2e-6 * Math.Abs(expected)) + 1e-7, $"{what}: {actual:R} vs {expected:R}");
}
