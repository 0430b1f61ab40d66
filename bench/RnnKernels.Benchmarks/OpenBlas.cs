using System.Runtime.InteropServices;

namespace RnnKernels.Benchmarks;

/// <summary>The peer GEMM: OpenBLAS's cblas_sgemm from Debian's libopenblas-dev, pinned to one thread.</summary>
internal static unsafe partial class OpenBlas
{
    private const string Library = "libopenblas.so.0";
    private const int RowMajor = 101;
    private const int NoTrans = 111;

    public static bool IsAvailable => NativeLibrary.TryLoad(Library, out _);

    public static void SetThreads(int threads) => openblas_set_num_threads(threads);

    public static void Sgemm(int m, int n, int k, float[] a, float[] b, float[] c)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            cblas_sgemm(RowMajor, NoTrans, NoTrans, m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
        }
    }

    [LibraryImport(Library)]
    private static partial void openblas_set_num_threads(int threads);

    [LibraryImport(Library)]
    private static partial void cblas_sgemm(
        int order, int transA, int transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);
}
