using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

/// <summary>
/// Packs blocks of op(A) and op(B) into the contiguous, zero-padded micro-panel layout the micro-kernels read:
/// A as MR-row panels (MR values per k step), B as NR-column panels (NR values per k step).
/// </summary>
internal static unsafe partial class GemmPacking
{
    /// <summary>
    /// Transposes eight rows of a matrix (row stride lda) over kc columns into eight columns of a panel whose k steps
    /// are <paramref name="stride"/> apart, 8 x 8 blocks at a time: an A panel of 8 rows (stride 8), eight columns
    /// of a transposed B panel (stride NR), or of a one-row group (<see cref="OneRowPacking"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackEightRows(float* a, nint lda, int kc, float* panel, nint stride)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            float* s = a + p;
            Vector256<float> t0 = Avx.UnpackLow(Avx.LoadVector256(s), Avx.LoadVector256(s + lda));
            Vector256<float> t1 = Avx.UnpackHigh(Avx.LoadVector256(s), Avx.LoadVector256(s + lda));
            Vector256<float> t2 = Avx.UnpackLow(Avx.LoadVector256(s + (2 * lda)), Avx.LoadVector256(s + (3 * lda)));
            Vector256<float> t3 = Avx.UnpackHigh(Avx.LoadVector256(s + (2 * lda)), Avx.LoadVector256(s + (3 * lda)));
            Vector256<float> t4 = Avx.UnpackLow(Avx.LoadVector256(s + (4 * lda)), Avx.LoadVector256(s + (5 * lda)));
            Vector256<float> t5 = Avx.UnpackHigh(Avx.LoadVector256(s + (4 * lda)), Avx.LoadVector256(s + (5 * lda)));
            Vector256<float> t6 = Avx.UnpackLow(Avx.LoadVector256(s + (6 * lda)), Avx.LoadVector256(s + (7 * lda)));
            Vector256<float> t7 = Avx.UnpackHigh(Avx.LoadVector256(s + (6 * lda)), Avx.LoadVector256(s + (7 * lda)));
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
            float* d = panel + (p * stride);
            Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
            Avx.Store(d + stride, Avx.Permute2x128(u1, u5, 0x20));
            Avx.Store(d + (2 * stride), Avx.Permute2x128(u2, u6, 0x20));
            Avx.Store(d + (3 * stride), Avx.Permute2x128(u3, u7, 0x20));
            Avx.Store(d + (4 * stride), Avx.Permute2x128(u0, u4, 0x31));
            Avx.Store(d + (5 * stride), Avx.Permute2x128(u1, u5, 0x31));
            Avx.Store(d + (6 * stride), Avx.Permute2x128(u2, u6, 0x31));
            Avx.Store(d + (7 * stride), Avx.Permute2x128(u3, u7, 0x31));
        }

        if (p + 4 <= kc)
        {
            // Four more k steps as two 4 x 4 transposes (a hidden size of 100 ends in four).
            Transpose4x4(a + p, lda, panel + (p * stride), stride);
            Transpose4x4(a + (4 * lda) + p, lda, panel + (p * stride) + 4, stride);
            p += 4;
        }

        for (; p < kc; p++)
        {
            for (int r = 0; r < 8; r++)
            {
                panel[(p * stride) + r] = a[(r * lda) + p];
            }
        }
    }

    /// <summary>
    /// <see cref="PackEightRows"/> for four rows, 4 x 4 blocks at a time (SSE): four rows of an A panel (stride mr), or
    /// four columns of a one-row group of 128-bit vectors (<see cref="OneRowPacking"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackFourRows(float* a, nint lda, int kc, float* panel, nint stride)
    {
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            Transpose4x4(a + p, lda, panel + (p * stride), stride);
        }

        for (; p < kc; p++)
        {
            for (int r = 0; r < 4; r++)
            {
                panel[(p * stride) + r] = a[(r * lda) + p];
            }
        }
    }

    /// <summary>Four rows (stride lda) by four columns into four k steps of a panel, four values each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(float* s, nint lda, float* d, nint stride)
    {
        Vector128<float> t0 = Sse.UnpackLow(Sse.LoadVector128(s), Sse.LoadVector128(s + lda));
        Vector128<float> t1 = Sse.UnpackHigh(Sse.LoadVector128(s), Sse.LoadVector128(s + lda));
        Vector128<float> t2 = Sse.UnpackLow(Sse.LoadVector128(s + (2 * lda)), Sse.LoadVector128(s + (3 * lda)));
        Vector128<float> t3 = Sse.UnpackHigh(Sse.LoadVector128(s + (2 * lda)), Sse.LoadVector128(s + (3 * lda)));
        Sse.Store(d, Sse.MoveLowToHigh(t0, t2));
        Sse.Store(d + stride, Sse.MoveHighToLow(t2, t0));
        Sse.Store(d + (2 * stride), Sse.MoveLowToHigh(t1, t3));
        Sse.Store(d + (3 * stride), Sse.MoveHighToLow(t3, t1));
    }

    /// <summary>Two rows (stride lda) by four columns into four k steps of a panel, two values each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposePair(float* s, nint lda, float* d, nint stride)
    {
        Vector128<float> first = Sse.LoadVector128(s), second = Sse.LoadVector128(s + lda);
        Vector128<float> low = Sse.UnpackLow(first, second), high = Sse.UnpackHigh(first, second);
        Sse.StoreLow(d, low);
        Sse.StoreHigh(d + stride, low);
        Sse.StoreLow(d + (2 * stride), high);
        Sse.StoreHigh(d + (3 * stride), high);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ZeroPadRows(float* panel, int kc, int mr, int rows)
    {
        if (rows == mr)
        {
            return;
        }

        for (int p = 0; p < kc; p++)
        {
            for (int r = rows; r < mr; r++)
            {
                panel[(p * mr) + r] = 0f;
            }
        }
    }
}
