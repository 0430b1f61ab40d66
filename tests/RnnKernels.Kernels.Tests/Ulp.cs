namespace RnnKernels.Kernels.Tests;

/// <summary>Distance in units in the last place between two finite floats, across zero included.</summary>
internal static class Ulp
{
    public static long Distance(float a, float b) => Math.Abs(Ordered(a) - Ordered(b));

    // Maps floats to integers that are monotonic in value, with +0 and -0 adjacent to each other.
    private static long Ordered(float x)
    {
        int bits = BitConverter.SingleToInt32Bits(x);
        return bits >= 0 ? bits : (long)int.MinValue - bits;
    }
}
