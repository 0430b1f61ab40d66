using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>
/// Random shapes and random sequences of kernel calls against the scalar reference, every output span placed inside a
/// larger array whose guard regions before and after must come back untouched. RNNK_FUZZ_CASES sets the number of
/// cases per tier (default 300; run many more locally).
/// </summary>
public sealed class FuzzTests
{
    private const float Guard = -7777.25f;
    private const int GuardLength = 37;

    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("RNNK_FUZZ_CASES"), out int n) && n > 0 ? n : 300;

    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void RandomCallSequencesStayInBoundsAndMatchTheReference(IsaTier tier)
    {
        var random = new Random(20261125 + (int)tier);
        for (int i = 0; i < Cases; i++)
        {
            switch (random.Next(4))
            {
                case 0:
                    FuzzGemm(tier, random, i);
                    break;
                case 1:
                    FuzzUnary(tier, random, i, tanh: random.Next(2) == 0);
                    break;
                case 2:
                    FuzzBackward(tier, random, i);
                    break;
                default:
                    FuzzSoftmax(tier, random, i);
                    break;
            }
        }
    }

    private static void FuzzGemm(IsaTier tier, Random random, int i)
    {
        int m = Size(random), n = Size(random), k = Size(random);
        Transpose ta = random.Next(2) == 0 ? Transpose.No : Transpose.Yes, tb = random.Next(2) == 0 ? Transpose.No : Transpose.Yes;
        (int aRows, int aCols) = ta == Transpose.No ? (m, k) : (k, m);
        (int bRows, int bCols) = tb == Transpose.No ? (k, n) : (n, k);
        int lda = Math.Max(1, aCols + random.Next(3)), ldb = Math.Max(1, bCols + random.Next(3)), ldc = Math.Max(1, n + random.Next(3));
        float alpha = random.Next(5) == 0 ? 0f : (float)((random.NextDouble() * 4) - 2);
        float beta = random.Next(3) == 0 ? 0f : random.Next(3) == 0 ? 1f : (float)((random.NextDouble() * 4) - 2);
        float[] a = Values(random, Needed(aRows, aCols, lda));
        float[] b = Values(random, Needed(bRows, bCols, ldb));
        int cLength = Needed(m, n, ldc);
        float[] c = Guarded(Values(random, cLength));
        float[] c0 = c[GuardLength..(GuardLength + cLength)];
        Gemm.Compute(tier, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c.AsSpan(GuardLength, cLength), ldc);
        CheckGuards(c, cLength, $"case {i}: gemm {ta}{tb} {m}x{n}x{k}");
        if (m == 0 || n == 0)
        {
            return;
        }

        (double[] expected, double[] magnitude) = GemmReference.Compute(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c0, ldc);
        for (int r = 0; r < m; r++)
        {
            for (int j = 0; j < ldc && (r * ldc) + j < cLength; j++)
            {
                float actual = c[GuardLength + (r * ldc) + j];
                if (j >= n)
                {
                    Assert.Equal(c0[(r * ldc) + j], actual);
                }
                else
                {
                    double want = expected[(r * n) + j];
                    Assert.True(Math.Abs(actual - want) <= GemmReference.Tolerance(k, magnitude[(r * n) + j]), $"case {i}: gemm {ta}{tb} {m}x{n}x{k} C[{r},{j}] = {actual}, expected {want}");
                }
            }
        }
    }

    private static void FuzzUnary(IsaTier tier, Random random, int i, bool tanh)
    {
        int n = Size(random);
        float[] x = Values(random, n, scale: 8);
        float[] y = Guarded(new float[n]);
        if (tanh)
        {
            Activations.Tanh(tier, x, y.AsSpan(GuardLength, n));
        }
        else
        {
            Activations.Relu(tier, x, y.AsSpan(GuardLength, n));
        }

        CheckGuards(y, n, $"case {i}: {(tanh ? "tanh" : "relu")} n={n}");
        for (int j = 0; j < n; j++)
        {
            float want = tanh ? (float)Math.Tanh(x[j]) : Math.Max(x[j], 0f);
            Assert.True(Ulp.Distance(y[GuardLength + j], want) <= 4, $"case {i}: f({x[j]}) = {y[GuardLength + j]}, expected {want}");
        }
    }

    private static void FuzzBackward(IsaTier tier, Random random, int i)
    {
        int n = Size(random);
        float[] y = Values(random, n), dy = Values(random, n);
        float[] dx = Guarded(new float[n]);
        Activations.TanhBackward(tier, y, dy, dx.AsSpan(GuardLength, n));
        CheckGuards(dx, n, $"case {i}: tanh backward n={n}");
        for (int j = 0; j < n; j++)
        {
            double want = dy[j] * (1 - ((double)y[j] * y[j]));
            Assert.True(Math.Abs(dx[GuardLength + j] - want) <= 2.5e-7 * Math.Abs(dy[j]), $"case {i}: dx[{j}]");
        }
    }

    private static void FuzzSoftmax(IsaTier tier, Random random, int i)
    {
        int rows = 1 + random.Next(6), classes = 1 + random.Next(70);
        float[] logits = Values(random, rows * classes, scale: 20);
        int[] targets = Enumerable.Range(0, rows).Select(_ => random.Next(-1, classes)).ToArray();
        float[] d = Guarded(new float[rows * classes]);
        double loss = SoftmaxCrossEntropy.Compute(tier, logits, targets, classes, 1f, d.AsSpan(GuardLength, rows * classes), null);
        CheckGuards(d, rows * classes, $"case {i}: softmax {rows}x{classes}");
        double expected = 0;
        for (int r = 0; r < rows; r++)
        {
            if (targets[r] < 0)
            {
                continue;
            }

            double max = logits.Skip(r * classes).Take(classes).Max();
            double sum = logits.Skip(r * classes).Take(classes).Sum(v => Math.Exp(v - max));
            expected += Math.Log(sum) + max - logits[(r * classes) + targets[r]];
            for (int j = 0; j < classes; j++)
            {
                double want = (Math.Exp(logits[(r * classes) + j] - max) / sum) - (j == targets[r] ? 1 : 0);
                Assert.True(Math.Abs(d[GuardLength + (r * classes) + j] - want) <= 1e-6, $"case {i}: softmax gradient [{r},{j}]");
            }
        }

        Assert.True(Math.Abs(loss - expected) <= 1e-5 * Math.Max(1, expected), $"case {i}: softmax loss {loss} vs {expected}");
    }

    // Mostly small sizes around the vector widths, sometimes past the blocking boundaries.
    private static int Size(Random random) => random.Next(10) switch
    {
        0 => 0,
        < 8 => 1 + random.Next(40),
        _ => 40 + random.Next(260),
    };

    private static int Needed(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : ((rows - 1) * ld) + cols;

    private static float[] Values(Random random, int n, double scale = 1)
    {
        var values = new float[n];
        for (int j = 0; j < n; j++)
        {
            values[j] = (float)(((random.NextDouble() * 2) - 1) * scale);
        }

        return values;
    }

    private static float[] Guarded(float[] inner)
    {
        var all = new float[inner.Length + (2 * GuardLength)];
        Array.Fill(all, Guard);
        inner.CopyTo(all, GuardLength);
        return all;
    }

    private static void CheckGuards(float[] all, int innerLength, string what)
    {
        for (int j = 0; j < GuardLength; j++)
        {
            Assert.True(all[j] == Guard && all[GuardLength + innerLength + j] == Guard, $"{what}: wrote outside its output span");
        }
    }
}
