namespace RnnKernels.Kernels;

/// <summary>
/// A row count known when the JIT compiles a generic micro-kernel for it, so a kernel cut to fewer rows is written
/// once (<see cref="GemmKernelAvx2"/>, <see cref="GemmKernelAvx512"/>) and each instantiation keeps only its own rows' registers and FMAs.
/// </summary>
internal interface IRowCount
{
    static abstract int Count { get; }
}

/// <summary>One row.</summary>
internal readonly struct Rows1 : IRowCount
{
    public static int Count => 1;
}

/// <summary>Two rows.</summary>
internal readonly struct Rows2 : IRowCount
{
    public static int Count => 2;
}

/// <summary>Three rows.</summary>
internal readonly struct Rows3 : IRowCount
{
    public static int Count => 3;
}

/// <summary>Four rows.</summary>
internal readonly struct Rows4 : IRowCount
{
    public static int Count => 4;
}

/// <summary>Five rows.</summary>
internal readonly struct Rows5 : IRowCount
{
    public static int Count => 5;
}

/// <summary>Six rows.</summary>
internal readonly struct Rows6 : IRowCount
{
    public static int Count => 6;
}

/// <summary>Seven rows.</summary>
internal readonly struct Rows7 : IRowCount
{
    public static int Count => 7;
}

/// <summary>Eight rows.</summary>
internal readonly struct Rows8 : IRowCount
{
    public static int Count => 8;
}
