using System.Runtime.CompilerServices;

namespace RnnKernels.Kernels;

/// <summary>
/// SGD with momentum as PyTorch defines it: v = mu v + g, p = p - lr v; each line one fused multiply-add where the
/// tier has FMA.
/// </summary>
internal readonly struct SgdMomentumUpdate(float learningRate, float momentum) : IUpdateOperator
{
    public static int States => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke<V>(ref V p, V g, ref V s0, ref V s1)
        where V : struct, ILaneVector<V>
    {
        s0 = V.MultiplyAdd(V.Broadcast(momentum), s0, g);
        p = V.MultiplyAdd(V.Broadcast(-learningRate), s0, p);
    }
}

/// <summary>
/// Adam as PyTorch defines it, with the bias corrections folded into the step size (lr / (1 - b1^t)) and the root
/// correction (sqrt(1 - b2^t)): m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
/// p = p - stepSize m / (sqrt(v) / rootCorrection + eps); unfused, every operation rounded once in this order.
/// </summary>
internal readonly struct AdamUpdate(float stepSize, float beta1, float beta2, float rootCorrection, float epsilon) : IUpdateOperator
{
    public static int States => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke<V>(ref V p, V g, ref V s0, ref V s1)
        where V : struct, ILaneVector<V>
    {
        s0 = (s0 * V.Broadcast(beta1)) + (g * V.Broadcast(1 - beta1));
        s1 = (s1 * V.Broadcast(beta2)) + (g * g * V.Broadcast(1 - beta2));
        V denominator = (V.Sqrt(s1) / V.Broadcast(rootCorrection)) + V.Broadcast(epsilon);
        p -= V.Broadcast(stepSize) * s0 / denominator;
    }
}

/// <summary>Adagrad as PyTorch defines it (no decay): s = s + g^2, p = p - lr g / (sqrt(s) + eps); unfused.</summary>
internal readonly struct AdagradUpdate(float learningRate, float epsilon) : IUpdateOperator
{
    public static int States => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke<V>(ref V p, V g, ref V s0, ref V s1)
        where V : struct, ILaneVector<V>
    {
        s0 += g * g;
        p -= V.Broadcast(learningRate) * g / (V.Sqrt(s0) + V.Broadcast(epsilon));
    }
}
