using System.Runtime.CompilerServices;
namespace RnnKernels.Kernels;

/// <summary>
/// The reference micro-kernel: plain loops with the same contract as the vector kernels. It is the fallback when no
/// SIMD is available and the oracle the vector kernels are tested against.
/// </summary>
internal readonly unsafe struct GemmKernelScalar : IGemmMicroKernel
{
    public static int MR => 4;

    public static int NR => 4;

    public static int MC => 128;

    public static int KC => 256;

    public static int NC => 2048;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
    {
        // The vector kernels keep this MR x NR accumulator block in registers and unroll the i and j loops.
        float* acc = stackalloc float[4 * 4];
        for (int t = 0; t < 16; t++)
        {
            acc[t] = 0f;
        }

        for (nint p = 0; p < kc; p++)
        {
            for (int i = 0; i < 4; i++)
            {
                float ai = a[i];
                for (int j = 0; j < 4; j++)
                {
                    acc[(i * 4) + j] += ai * b[j];
                }
            }

            a += MR;
            b += ldb;
        }

        for (int i = 0; i < 4; i++)
        {
            float* row = c + (i * ldc);
            for (int j = 0; j < 4; j++)
            {
                float product = alpha * acc[(i * 4) + j];
                row[j] = beta == 0f ? product : product + (beta * row[j]);
            }
        }
    }
}
