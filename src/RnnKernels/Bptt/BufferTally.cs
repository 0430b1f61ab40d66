using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// Allocates a workspace's buffers and adds up their bytes as it goes, so the size a workspace reports
/// (<see cref="RnnEngine.MemoryBytes"/>) cannot miss a buffer it holds.
/// </summary>
internal sealed class BufferTally
{
    /// <summary>Bytes allocated through this tally so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>A zeroed float buffer of <paramref name="length"/> values.</summary>
    public float[] Floats(long length) => Count(new float[checked((int)length)], sizeof(float));

    /// <summary>A zeroed int buffer of <paramref name="length"/> values.</summary>
    public int[] Ints(long length) => Count(new int[checked((int)length)], sizeof(int));

    /// <summary>A bool buffer of <paramref name="length"/> values.</summary>
    public bool[] Bools(long length) => Count(new bool[checked((int)length)], sizeof(bool));

    /// <summary>A packed matrix, counted at its full capacity.</summary>
    public PackedMatrix Packed(PackedMatrix matrix)
    {
        Bytes += matrix.Bytes;
        return matrix;
    }

    private T[] Count<T>(T[] buffer, int size)
    {
        Bytes += (long)buffer.Length * size;
        return buffer;
    }
}
