using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnKernels.Kernels;

/// <summary>
/// Packing buffers for one GEMM in progress, on the pinned object heap (raw pointers into them stay valid), grown
/// once to the largest size a product needed. A product rents a set for its duration from a small process-wide
/// cache and returns it: the memory held is bounded by how many products have ever run at once (at most
/// <see cref="CacheSlots"/> sets stay cached), not by how many threads ever ran one, and steady-state calls allocate
/// nothing. Each thread starts its search at a home slot of its own and returns its set there, so in steady state a
/// thread gets back the set it used last (grown to its products' sizes, hot in its cache) rather than one another
/// thread grew for other shapes.
/// </summary>
internal sealed unsafe class GemmScratch
{
    /// <summary>Floats of slack a buffer needs so its panels can start on a 64-byte cache line.</summary>
    internal const int AlignFloats = 16;

    // Sets exist only as many as products ever ran at once; the slots only bound how many of those stay cached. Too
    // few slots, and a burst of concurrent products (hosts with many threads, or several pools) would drop and
    // re-allocate sets on every call: 64 keeps steady state allocation-free up to 64 concurrent products.
    private const int CacheSlots = 64;
    private static readonly GemmScratch?[] Cache = new GemmScratch?[CacheSlots];
    private static int s_nextHome;

    [ThreadStatic]
    private static int t_home; // 1 + the thread's home slot; 0 until its first product.

    // Every micro-kernel's MC x KC block of A (its tiles padded, GemmPacking.TileStride) and KC x PanelGroupColumns
    // group of B panels fit these, so a set serves any product without growing: which set a thread rents then never
    // shows up as an allocation. Only the whole KC x NC block of B (products of more than MC rows) and a gathered
    // vector longer than EdgeFloats are allocated on first need.
    private static readonly int PackedAFloats = new[]
    {
        GemmPacking.PackedAFloats(GemmKernelAvx512.MC, GemmKernelAvx512.MR, GemmKernelAvx512.KC),
        GemmPacking.PackedAFloats(GemmKernelAvx2.MC, GemmKernelAvx2.MR, GemmKernelAvx2.KC),
        GemmPacking.PackedAFloats(GemmKernelNeon.MC, GemmKernelNeon.MR, GemmKernelNeon.KC),
        GemmPacking.PackedAFloats(GemmKernelVector128.MC, GemmKernelVector128.MR, GemmKernelVector128.KC),
        GemmPacking.PackedAFloats(GemmKernelScalar.MC, GemmKernelScalar.MR, GemmKernelScalar.KC),
    }.Max();
    private static readonly int PanelFloats = Enum.GetValues<IsaTier>().Max(GemmGeometry.KC) * GemmGeometry.PanelGroupColumns;
    private const int EdgeFloats = 4096;

    private float[]? _packedA = GC.AllocateUninitializedArray<float>(PackedAFloats + AlignFloats, pinned: true);
    private float[]? _panel = GC.AllocateUninitializedArray<float>(PanelFloats + AlignFloats, pinned: true);
    private float[]? _edge = GC.AllocateUninitializedArray<float>(EdgeFloats + AlignFloats, pinned: true);
    private float[]? _block;

    /// <summary>Bytes held by the sets cached now (sets rented by running products are not counted).</summary>
    public static long CachedBytes
    {
        get
        {
            long bytes = 0;
            foreach (GemmScratch? set in Cache)
            {
                if (set is not null)
                {
                    bytes += (long)((set._packedA?.Length ?? 0) + (set._panel?.Length ?? 0) + (set._edge?.Length ?? 0) + (set._block?.Length ?? 0)) * sizeof(float);
                }
            }

            return bytes;
        }
    }

    /// <summary>Takes a cached set, or makes an empty one when every cached set is in use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static GemmScratch Rent()
    {
        int home = Home();
        for (int i = 0; i < CacheSlots; i++)
        {
            int slot = (home + i) & (CacheSlots - 1);
            if (Volatile.Read(ref Cache[slot]) is not null && Interlocked.Exchange(ref Cache[slot], null) is { } set)
            {
                return set;
            }
        }

        return new GemmScratch();
    }

    /// <summary>Puts a set back in the first free slot; with none free it is left to the garbage collector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Return(GemmScratch set)
    {
        int home = Home();
        for (int i = 0; i < CacheSlots; i++)
        {
            if (Interlocked.CompareExchange(ref Cache[(home + i) & (CacheSlots - 1)], set, null) is null)
            {
                return;
            }
        }
    }

    /// <summary>The calling thread's home slot: threads get consecutive slots in the order of their first product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Home()
    {
        int home = t_home;
        if (home == 0)
        {
            home = t_home = 1 + ((Interlocked.Increment(ref s_nextHome) - 1) & (CacheSlots - 1));
        }

        return home - 1;
    }

    /// <summary>Drops every cached set (sets in use by running products are returned afterwards as usual).</summary>
    public static void Trim()
    {
        for (int i = 0; i < Cache.Length; i++)
        {
            Volatile.Write(ref Cache[i], null);
        }
    }

    /// <summary>Scratch for a packed block of A (at least <paramref name="floats"/> values, 64-byte aligned).</summary>
    public float* PackedA(int floats) => Get(ref _packedA, floats);

    /// <summary>
    /// Scratch for a group of packed micro-panels of B, or one (at least <paramref name="floats"/> values, 64-byte
    /// aligned).
    /// </summary>
    public float* PanelGroupB(int floats) => Get(ref _panel, floats);

    /// <summary>Scratch for a whole packed KC x NC block of B (allocated on first need, 64-byte aligned).</summary>
    public float* BlockB(int floats) => Get(ref _block, floats);

    /// <summary>Scratch for one zero-padded edge panel or a gathered vector.</summary>
    public float* Edge(int floats) => Get(ref _edge, floats);

    /// <summary>The first 64-byte-aligned element of a pinned buffer (its address is stable while it is rooted).</summary>
    internal static float* Aligned(float[] pinned)
    {
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
        nint aligned = (start + (AlignFloats * sizeof(float)) - 1) & ~(nint)((AlignFloats * sizeof(float)) - 1);
        return (float*)aligned;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* Get(ref float[]? slot, int floats)
    {
        float[]? buffer = slot;
        if (buffer is null || buffer.Length < floats + AlignFloats)
        {
            buffer = Grow(ref slot, floats);
        }

        // The array is rooted by this set, which the renting product holds until it returns it.
        return Aligned(buffer);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float[] Grow(ref float[]? slot, int floats)
    {
        float[] buffer = GC.AllocateUninitializedArray<float>(floats + AlignFloats, pinned: true);
        slot = buffer;
        return buffer;
    }
}
