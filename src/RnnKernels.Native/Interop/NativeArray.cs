using System.Runtime.InteropServices;

namespace RnnKernels.Native;

/// <summary>Caller-owned arrays: a pointer and an element count, checked before use.</summary>
internal static unsafe class NativeArray
{
    /// <summary>The array as a span; a null pointer is an empty span only when the count is 0.</summary>
    /// <exception cref="ArgumentException">The count is negative or too large, or the pointer is NULL with a count above 0.</exception>
    public static Span<T> Of<T>(T* pointer, long count, string name)
        where T : unmanaged
    {
        if (count < 0 || count > int.MaxValue)
        {
            throw new ArgumentException($"{name}_count must be in 0..{int.MaxValue}, but it is {count}.", name);
        }

        if (pointer is null)
        {
            return count == 0 ? [] : throw new ArgumentException($"{name} is NULL but {name}_count is {count}.", name);
        }

        return new Span<T>(pointer, (int)count);
    }

    /// <summary>Copies <paramref name="source"/> into the caller's array, which must hold exactly that many elements.</summary>
    /// <exception cref="ArgumentException">The caller's count differs from the source's length.</exception>
    public static void CopyOut(ReadOnlySpan<float> source, float* pointer, long count, string name)
    {
        Span<float> target = Of(pointer, count, name);
        if (target.Length != source.Length)
        {
            throw new ArgumentException($"{name} must hold {source.Length} values, but {name}_count is {count}.", name);
        }

        source.CopyTo(target);
    }

    /// <summary>A NUL-terminated UTF-8 string argument.</summary>
    /// <exception cref="ArgumentException">The pointer is NULL.</exception>
    public static string Text(byte* pointer, string name) =>
        pointer is null ? throw new ArgumentException($"{name} is NULL.", name) : Marshal.PtrToStringUTF8((nint)pointer)!;
}
