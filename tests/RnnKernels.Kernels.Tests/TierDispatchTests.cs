using System.Runtime.Intrinsics;
using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>
/// The elementwise driver runs the tier it is given, not the widest one nor <c>Vector&lt;T&gt;</c>'s: operators that
/// record the width they were invoked with must see only the tier's own width (and the scalar tier only scalars), for
/// every length, short spans and tails included.
/// </summary>
public sealed class TierDispatchTests
{
    [Theory]
    [MemberData(nameof(Tiers.Supported), MemberType = typeof(Tiers))]
    public void EveryDriverInvokesOnlyTheWidthOfTheTierItWasGiven(IsaTier tier)
    {
        int expected = tier switch
        {
            IsaTier.Avx512 => 16,
            IsaTier.Avx2Fma => 8,
            IsaTier.Vector128 or IsaTier.Neon => 4,
            _ => 1,
        };
        for (int length = 1; length <= 40; length++)
        {
            float[] x = new float[length], y = new float[length], z = new float[length];
            WidthRecorder.Seen.Clear();
            ElementwiseDriver.Unary<WidthRecorder>(tier, x, y);
            ElementwiseDriver.Binary<WidthRecorder>(tier, x, y, z);
            ElementwiseDriver.SpanScalar<WidthRecorder>(tier, x, 1f, y);
            ElementwiseDriver.SpanSpanScalar<WidthRecorder>(tier, x, y, 1f, z);
            Assert.Equal([expected], WidthRecorder.Seen.Distinct());
        }
    }

    /// <summary>An identity operator of every arity that notes each width it runs at (on the calling thread).</summary>
    private readonly struct WidthRecorder : IUnaryOperator, IBinaryOperator, ISpanScalarOperator, ISpanSpanScalarOperator
    {
        [ThreadStatic]
        private static List<int>? s_seen;

        public static List<int> Seen => s_seen ??= [];

        public static float Invoke(float x) => Note(1, x);

        public static Vector128<float> Invoke(Vector128<float> x) => Note(4, x);

        public static Vector256<float> Invoke(Vector256<float> x) => Note(8, x);

        public static Vector512<float> Invoke(Vector512<float> x) => Note(16, x);

        public static float Invoke(float x, float y) => Note(1, x);

        public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Note(4, x);

        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Note(8, x);

        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Note(16, x);

        public static V Invoke<V>(V x, V s)
            where V : struct, ILaneVector<V> => Note(V.Count, x);

        public static V Invoke<V>(V x, V y, V s)
            where V : struct, ILaneVector<V> => Note(V.Count, x);

        private static T Note<T>(int width, T value)
        {
            Seen.Add(width);
            return value;
        }
    }
}
