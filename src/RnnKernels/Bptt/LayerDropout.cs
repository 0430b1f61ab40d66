using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// Dropout between stacked layers with PyTorch nn.RNN's semantics: the output sequence of every layer but the last
/// is multiplied, as the next layer's input, by a mask of zeros (probability p) and 1/(1-p); the recurrence within a
/// layer sees its own h unmasked, and the backward pass multiplies the gradient reaching a layer's output by the same
/// mask. Each mask element is a hash of (seed, pass, layer, index), so masks are the same for any number of threads
/// and a pass can be replayed by number.
/// </summary>
internal sealed class LayerDropout
{
    private readonly float[][] _masks, _outputs;

    public LayerDropout(RnnShape shape, int rows)
    {
        int dropped = shape.Layers - 1, length = checked(rows * shape.LayerOutputSize);
        _masks = new float[dropped][];
        _outputs = new float[dropped][];
        for (int l = 0; l < dropped; l++)
        {
            _masks[l] = new float[length];
            _outputs[l] = new float[length];
        }

        Bytes = 2L * dropped * length * sizeof(float);
    }

    /// <summary>Bytes of the masks and masked outputs.</summary>
    public long Bytes { get; }

    /// <summary>True while the last forward pass applied dropout (its masks are what backward must use).</summary>
    public bool Active { get; set; }

    /// <summary>The mask of the output of <paramref name="layer"/> (0 or 1/(1-p) per element).</summary>
    public ReadOnlySpan<float> Mask(int layer, int length) => _masks[layer].AsSpan(0, length);

    /// <summary>The masked output of <paramref name="layer"/>: the next layer's input.</summary>
    public ReadOnlySpan<float> Output(int layer, int length) => _outputs[layer].AsSpan(0, length);

    /// <summary>Draws the mask of <paramref name="layer"/>'s output for pass <paramref name="pass"/> and masks the output.</summary>
    public void Apply(ReadOnlySpan<float> output, int layer, float probability, ulong seed, long pass)
    {
        Span<float> mask = _masks[layer].AsSpan(0, output.Length);
        float kept = 1f / (1f - probability);
        ulong stream = Mix(seed ^ Mix(((ulong)pass << 8) | (uint)layer));
        for (int i = 0; i < mask.Length; i++)
        {
            // 24 uniform bits per element, compared with p: a float in [0, 1) with every value equally likely.
            float u = (Mix(stream + ((ulong)i * 0x9E3779B97F4A7C15UL)) >> 40) * (1f / (1 << 24));
            mask[i] = u < probability ? 0f : kept;
        }

        Elementwise.Multiply(output, mask, _outputs[layer].AsSpan(0, output.Length));
    }

    /// <summary>SplitMix64's finaliser: a bijective mix of all 64 bits.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
