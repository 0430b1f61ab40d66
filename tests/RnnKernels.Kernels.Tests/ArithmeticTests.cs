using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>Multiply and Subtract: exact (one rounding each) on every path, every length, in place on either input.</summary>
public sealed class ArithmeticTests
{
    [Theory]
    [MemberData(nameof(Paths.Supported), MemberType = typeof(Paths))]
    public void EveryLengthMatchesTheScalarResultBitwise(IsaPath path)
    {
        var random = new Random(7);
        for (int length = 0; length <= 130; length++)
        {
            float[] x = [.. Enumerable.Range(0, length).Select(_ => (random.NextSingle() * 8) - 4)];
            float[] y = [.. Enumerable.Range(0, length).Select(_ => (random.NextSingle() * 8) - 4)];
            float[] product = new float[length + 1], difference = new float[length + 1];
            product[length] = difference[length] = 99f;
            Elementwise.Multiply(path, x, y, product);
            Elementwise.Subtract(path, x, y, difference);
            Assert.Equal(99f, product[length]);
            Assert.Equal(99f, difference[length]);
            float[] inPlaceX = (float[])x.Clone(), inPlaceY = (float[])y.Clone();
            Elementwise.Multiply(path, inPlaceX, y, inPlaceX);
            Elementwise.Subtract(path, x, inPlaceY, inPlaceY);
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(x[i] * y[i], product[i]);
                Assert.Equal(x[i] - y[i], difference[i]);
                Assert.Equal(product[i], inPlaceX[i]);
                Assert.Equal(difference[i], inPlaceY[i]);
            }
        }
    }

    [Fact]
    public void RejectsMismatchedLengthsShortDestinationAndPartialOverlap()
    {
        float[] buffer = new float[30];
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Elementwise.Multiply(buffer.AsSpan(0, 10), buffer.AsSpan(10, 9), buffer.AsSpan(20, 10))).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => Elementwise.Subtract(buffer.AsSpan(0, 10), buffer.AsSpan(10, 10), buffer.AsSpan(20, 9))).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => Elementwise.Multiply(buffer.AsSpan(0, 10), buffer.AsSpan(10, 10), buffer.AsSpan(1, 10))).ParamName);
    }
}
