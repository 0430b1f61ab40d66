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
}
