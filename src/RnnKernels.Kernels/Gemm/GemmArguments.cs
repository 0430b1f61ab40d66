namespace RnnKernels.Kernels;

/// <summary>Shape checks for <see cref="Gemm"/>: done once at the entry so the inner loops can run unchecked.</summary>
internal static class GemmArguments
{
    /// <summary>Throws unless every element the shapes address lies inside its span and C overlaps neither input.</summary>
    /// <remarks><paramref name="checkB"/> false skips B (a packed B was checked when it was packed).</remarks>
    public static void Validate(
        Transpose transA, Transpose transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> c, int ldc, bool checkB = true)
    {
        CheckEnum(transA, nameof(transA));
        CheckEnum(transB, nameof(transB));
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);

        // Stored shapes: A is m x k (or k x m transposed), B is k x n (or n x k), C is m x n.
        (int aRows, int aCols) = transA == Transpose.No ? (m, k) : (k, m);
        (int bRows, int bCols) = transB == Transpose.No ? (k, n) : (n, k);
        long aNeed = Needed(aRows, aCols, lda, a.Length, nameof(a), nameof(lda), transA);
        long bNeed = checkB ? Needed(bRows, bCols, ldb, b.Length, nameof(b), nameof(ldb), transB) : 0;
        long cNeed = Needed(m, n, ldc, c.Length, nameof(c), nameof(ldc), Transpose.No);

        ReadOnlySpan<float> cUsed = c[..(int)cNeed];
        if (cUsed.Overlaps(a[..(int)aNeed]))
        {
            throw new ArgumentException("c must not overlap a: the product would read values it has already overwritten.", nameof(c));
        }

        if (cUsed.Overlaps(b[..(int)bNeed]))
        {
            throw new ArgumentException("c must not overlap b: the product would read values it has already overwritten.", nameof(c));
        }
    }

    /// <summary>Elements a rows x cols matrix with row stride ld spans: (rows - 1) * ld + cols, or 0 when empty.</summary>
    internal static long Needed(int rows, int cols, int ld, int length, string name, string ldName, Transpose trans)
    {
        if (ld < Math.Max(1, cols))
        {
            throw new ArgumentOutOfRangeException(
                ldName, ld, $"{ldName} must be at least max(1, {cols}) for {name} stored {rows} x {cols} (Transpose.{trans}), but was {ld}.");
        }

        long need = rows == 0 || cols == 0 ? 0 : ((long)(rows - 1) * ld) + cols;
        if (need > length)
        {
            throw new ArgumentException(
                $"{name} is too short: stored {rows} x {cols} (Transpose.{trans}) with {ldName} = {ld} needs {need} elements, but it has {length}.",
                name);
        }

        return need;
    }

    private static void CheckEnum(Transpose value, string name)
    {
        if (value is not (Transpose.No or Transpose.Yes))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be Transpose.No or Transpose.Yes.");
        }
    }
}
