using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnKernels.Kernels;

/// <summary>
/// Per-thread packing buffers for GEMM, allocated on the pinned object heap the first time a thread needs them
/// (and again only if a later call needs more), so steady-state calls allocate nothing and raw pointers stay valid.
/// </summary>
internal static unsafe class GemmScratch
{
    /// <summary>Floats of slack a buffer needs so its panels can start on a 64-byte cache line.</summary>
    internal const int AlignFloats = 16;

    [ThreadStatic]
    private static float[]? s_packedA;

    [ThreadStatic]
    private static float[]? s_packedB;

    [ThreadStatic]
    private static float[]? s_edge;

    /// <summary>Scratch for a packed block of A (at least <paramref name="floats"/> values, 64-byte aligned).</summary>
    public static float* PackedA(int floats) => Get(ref s_packedA, floats);

    /// <summary>Scratch for a packed block of B (at least <paramref name="floats"/> values, 64-byte aligned).</summary>
    public static float* PackedB(int floats) => Get(ref s_packedB, floats);

    /// <summary>Scratch for one zero-padded edge panel or a gathered vector.</summary>
    public static float* Edge(int floats) => Get(ref s_edge, floats);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* Get(ref float[]? slot, int floats)
    {
        float[]? buffer = slot;
        if (buffer is null || buffer.Length < floats + AlignFloats)
        {
            buffer = Grow(ref slot, floats);
        }

        // The array is rooted by the thread-static field.
        return Aligned(buffer);
    }

    /// <summary>The first 64-byte-aligned element of a pinned buffer (its address is stable while it is rooted).</summary>
    internal static float* Aligned(float[] pinned)
    {
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
        nint aligned = (start + (AlignFloats * sizeof(float)) - 1) & ~(nint)((AlignFloats * sizeof(float)) - 1);
        return (float*)aligned;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float[] Grow(ref float[]? slot, int floats)
    {
        float[] buffer = GC.AllocateUninitializedArray<float>(floats + AlignFloats, pinned: true);
        slot = buffer;
        return buffer;
    }
}
