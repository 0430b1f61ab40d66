namespace RnnKernels.Kernels;

/// <summary>The instruction-set tier a kernel runs on. <see cref="KernelTiers.Best"/> is the one the public entry points use.</summary>
public enum IsaTier
{
    /// <summary>Plain scalar loops: the reference implementation and the fallback when no SIMD is available.</summary>
    Scalar,

    /// <summary>Portable 128-bit SIMD (<c>Vector128</c>): SSE on x64 without AVX2, or any accelerated 128-bit ISA.</summary>
    Vector128,

    /// <summary>x64 AVX2 with FMA3, 256-bit.</summary>
    Avx2Fma,

    /// <summary>Arm64 Advanced SIMD (NEON), 128-bit with fused multiply-add by element.</summary>
    Neon,

    /// <summary>
    /// x64 AVX-512F on top of AVX2+FMA: a 512-bit GEMM micro-kernel and 512-bit elementwise kernels. Chosen over
    /// <see cref="Avx2Fma"/> wherever the CPU and runtime enable AVX-512.
    /// </summary>
    Avx512,
}
