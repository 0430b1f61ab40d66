namespace RnnKernels.Kernels;

/// <summary>Argument checks shared by the elementwise entry points.</summary>
internal static class SpanChecks
{
    /// <summary>Throws unless the destination holds at least <paramref name="length"/> elements.</summary>
    public static void DestinationLongEnough(int length, int destinationLength, string name)
    {
        if (destinationLength < length)
        {
            throw new ArgumentException($"{name} is too short: it needs {length} elements, but it has {destinationLength}.", name);
        }
    }

    /// <summary>Throws unless the two inputs have the same length.</summary>
    public static void SameLength(int expected, int actual, string name, string otherName)
    {
        if (expected != actual)
        {
            throw new ArgumentException($"{name} must have the same length as {otherName} ({expected}), but it has {actual}.", name);
        }
    }

    /// <summary>An output may alias an input exactly (in place) but must not overlap it partially.</summary>
    public static void NoPartialOverlap(ReadOnlySpan<float> input, ReadOnlySpan<float> output, string inputName, string outputName)
    {
        if (input.Overlaps(output, out int offset) && offset != 0)
        {
            throw new ArgumentException(
                $"{outputName} overlaps {inputName} at an offset of {offset} elements; it may only alias it exactly (in place).", outputName);
        }
    }

    /// <summary>Two buffers of different roles (parameters and their state) must not share any element.</summary>
    public static void Disjoint(ReadOnlySpan<float> a, string aName, ReadOnlySpan<float> b, string bName)
    {
        if (a.Overlaps(b))
        {
            throw new ArgumentException($"{bName} overlaps {aName}; they must be separate buffers.", bName);
        }
    }

    /// <summary>An elementwise map y = f(x): y at least as long as x, aliasing x exactly or not at all.</summary>
    public static void UnaryMap(ReadOnlySpan<float> x, ReadOnlySpan<float> y, string xName, string yName)
    {
        DestinationLongEnough(x.Length, y.Length, yName);
        NoPartialOverlap(x, y, xName, yName);
    }

    /// <summary>An elementwise map z = f(x, y): x and y of one length, z at least as long, aliasing either exactly or not at all.</summary>
    public static void BinaryMap(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, string xName, string yName, string zName)
    {
        SameLength(x.Length, y.Length, yName, xName);
        DestinationLongEnough(x.Length, z.Length, zName);
        NoPartialOverlap(x, z, xName, zName);
        NoPartialOverlap(y, z, yName, zName);
    }
}
