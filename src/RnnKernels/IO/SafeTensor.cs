using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace RnnKernels.IO;

/// <summary>One tensor of a safetensors file: element type, shape and raw little-endian bytes.</summary>
public sealed class SafeTensor
{
    /// <summary>Creates a tensor, checking that the byte count matches the shape.</summary>
    /// <param name="dtype">Element type.</param>
    /// <param name="shape">Dimensions (each &gt;= 0; empty for a scalar).</param>
    /// <param name="data">Raw little-endian bytes.</param>
    public SafeTensor(SafeTensorsDType dtype, long[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long count = ElementCount(shape);
        if (count * ElementSize(dtype) != data.Length)
        {
            throw new ArgumentException($"A {dtype} tensor of shape [{string.Join(", ", shape)}] needs {count * ElementSize(dtype)} bytes, not {data.Length}.", nameof(data));
        }

        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>Element type.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>Dimensions.</summary>
    public long[] Shape { get; }

    /// <summary>Raw little-endian bytes.</summary>
    public byte[] Data { get; }

    /// <summary>Number of elements.</summary>
    public long Count => ElementCount(Shape);

    /// <summary>A float32 tensor from values.</summary>
    /// <param name="shape">Dimensions.</param>
    /// <param name="values">Values, row-major.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="ArgumentException">The shape has a negative dimension or does not hold values.Length elements.</exception>
    public static SafeTensor FromFloats(long[] shape, ReadOnlySpan<float> values)
    {
        byte[] bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return new SafeTensor(SafeTensorsDType.F32, shape, bytes);
    }

    /// <summary>An int64 tensor from values.</summary>
    /// <param name="shape">Dimensions.</param>
    /// <param name="values">Values, row-major.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="ArgumentException">The shape has a negative dimension or does not hold values.Length elements.</exception>
    public static SafeTensor FromInt64s(long[] shape, ReadOnlySpan<long> values)
    {
        byte[] bytes = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        }

        return new SafeTensor(SafeTensorsDType.I64, shape, bytes);
    }

    /// <summary>The values as floats (F32 as is, F64 rounded).</summary>
    /// <returns>A new array.</returns>
    public float[] ToFloats() => DType switch
    {
        SafeTensorsDType.F32 => BitConverter.IsLittleEndian
            ? MemoryMarshal.Cast<byte, float>(Data).ToArray()
            : Enumerable.Range(0, (int)Count).Select(i => BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan(i * 4))).ToArray(),
        SafeTensorsDType.F64 => Enumerable.Range(0, (int)Count).Select(i => (float)BinaryPrimitives.ReadDoubleLittleEndian(Data.AsSpan(i * 8))).ToArray(),
        _ => throw new InvalidDataException($"expected a float tensor, found {DType}"),
    };

    /// <summary>The values as 64-bit integers (I64 only).</summary>
    /// <returns>A new array.</returns>
    public long[] ToInt64s() => DType == SafeTensorsDType.I64
        ? Enumerable.Range(0, (int)Count).Select(i => BinaryPrimitives.ReadInt64LittleEndian(Data.AsSpan(i * 8))).ToArray()
        : throw new InvalidDataException($"expected an I64 tensor, found {DType}");

    /// <summary>Bytes per element.</summary>
    /// <param name="dtype">Element type.</param>
    /// <returns>4 or 8.</returns>
    public static int ElementSize(SafeTensorsDType dtype) => dtype == SafeTensorsDType.F32 ? 4 : 8;

    private static long ElementCount(long[] shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Dimensions must be non-negative, found {d}.", nameof(shape));
            }

            count = checked(count * d);
        }

        return count;
    }
}
