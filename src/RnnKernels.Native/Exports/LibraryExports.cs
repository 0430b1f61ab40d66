using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RnnKernels.Kernels;

namespace RnnKernels.Native;

/// <summary>Library-wide calls of rnnkernels.h: versions, the kernel tier in use, the last error.</summary>
internal static unsafe class LibraryExports
{
    /// <summary>RNNK_ABI_VERSION: bumped whenever a signature, struct or code changes meaning.</summary>
    public const int AbiVersion = 2;

    [UnmanagedCallersOnly(EntryPoint = "rnnk_version")]
    public static byte* Version() => Literal("0.1.0\0"u8);

    [UnmanagedCallersOnly(EntryPoint = "rnnk_abi_version")]
    public static int GetAbiVersion() => AbiVersion;

    [UnmanagedCallersOnly(EntryPoint = "rnnk_kernel_tier")]
    public static byte* KernelTier() => KernelTiers.Best switch
    {
        IsaTier.Avx512 => Literal("Avx512\0"u8),
        IsaTier.Avx2Fma => Literal("Avx2Fma\0"u8),
        IsaTier.Neon => Literal("Neon\0"u8),
        IsaTier.Vector128 => Literal("Vector128\0"u8),
        _ => Literal("Scalar\0"u8),
    };

    /// <summary>Bytes the library's runtime has allocated on its managed heap so far, all threads (diagnostics).</summary>
    [UnmanagedCallersOnly(EntryPoint = "rnnk_allocated_bytes")]
    public static long AllocatedBytes() => GC.GetTotalAllocatedBytes(precise: true);

    [UnmanagedCallersOnly(EntryPoint = "rnnk_last_error")]
    public static byte* GetLastError() => LastError.Pointer;

    // UTF-8 literals live in the image's read-only data, so their address is fixed for the life of the process.
    private static byte* Literal(ReadOnlySpan<byte> text) => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(text));
}
