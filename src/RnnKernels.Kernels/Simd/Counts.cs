namespace RnnKernels.Kernels;

/// <summary>
/// A count fixed when the JIT compiles a method generic over it: the rows of a micro-kernel tile
/// (<see cref="GemmKernelAvx2"/>, <see cref="GemmKernelAvx512"/>), its column vectors, the column vectors of a
/// matrix-vector pass (<see cref="Gemv"/>). Such a kernel is written once with every accumulator guarded by
/// <c>if (TCount.Value &gt; i)</c>, and each instantiation keeps only its own registers and FMAs (C# has no constant
/// generic parameters; a static abstract property on a struct folds the same way).
/// </summary>
internal interface ICount
{
    static abstract int Value { get; }
}

/// <summary>One.</summary>
internal readonly struct Count1 : ICount
{
    public static int Value => 1;
}

/// <summary>Two.</summary>
internal readonly struct Count2 : ICount
{
    public static int Value => 2;
}

/// <summary>Three.</summary>
internal readonly struct Count3 : ICount
{
    public static int Value => 3;
}

/// <summary>Four.</summary>
internal readonly struct Count4 : ICount
{
    public static int Value => 4;
}

/// <summary>Five.</summary>
internal readonly struct Count5 : ICount
{
    public static int Value => 5;
}

/// <summary>Six.</summary>
internal readonly struct Count6 : ICount
{
    public static int Value => 6;
}

/// <summary>Seven.</summary>
internal readonly struct Count7 : ICount
{
    public static int Value => 7;
}

/// <summary>Eight.</summary>
internal readonly struct Count8 : ICount
{
    public static int Value => 8;
}

/// <summary>Nine.</summary>
internal readonly struct Count9 : ICount
{
    public static int Value => 9;
}

/// <summary>Ten.</summary>
internal readonly struct Count10 : ICount
{
    public static int Value => 10;
}

/// <summary>Eleven.</summary>
internal readonly struct Count11 : ICount
{
    public static int Value => 11;
}

/// <summary>Twelve.</summary>
internal readonly struct Count12 : ICount
{
    public static int Value => 12;
}

/// <summary>Thirteen.</summary>
internal readonly struct Count13 : ICount
{
    public static int Value => 13;
}
