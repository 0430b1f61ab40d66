namespace RnnKernels;

/// <summary>The recurrent activation, as PyTorch's <c>nn.RNN(nonlinearity=...)</c> names it.</summary>
public enum Nonlinearity
{
    /// <summary>h_t = tanh(a_t).</summary>
    Tanh,

    /// <summary>h_t = max(a_t, 0).</summary>
    Relu,
}
