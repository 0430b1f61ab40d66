namespace RnnKernels.Kernels;

/// <summary>
/// A number of vectors fixed when the JIT compiles a method generic over it: a kernel that keeps one accumulator per
/// vector writes all of them, guarded by <c>if (TCount.Value &gt; i)</c>, and each instantiation keeps only its own in
/// registers (C# has no constant generic parameters; a static abstract property on a struct folds the same way).
/// </summary>
internal interface IVectorCount
{
    static abstract int Value { get; }
}

internal readonly struct Vectors1 : IVectorCount { public static int Value => 1; }

internal readonly struct Vectors2 : IVectorCount { public static int Value => 2; }

internal readonly struct Vectors3 : IVectorCount { public static int Value => 3; }

internal readonly struct Vectors4 : IVectorCount { public static int Value => 4; }

internal readonly struct Vectors5 : IVectorCount { public static int Value => 5; }

internal readonly struct Vectors6 : IVectorCount { public static int Value => 6; }

internal readonly struct Vectors7 : IVectorCount { public static int Value => 7; }

internal readonly struct Vectors8 : IVectorCount { public static int Value => 8; }

internal readonly struct Vectors9 : IVectorCount { public static int Value => 9; }

internal readonly struct Vectors10 : IVectorCount { public static int Value => 10; }

internal readonly struct Vectors11 : IVectorCount { public static int Value => 11; }

internal readonly struct Vectors12 : IVectorCount { public static int Value => 12; }

internal readonly struct Vectors13 : IVectorCount { public static int Value => 13; }
