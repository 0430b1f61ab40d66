namespace RnnKernels;

/// <summary>The recurrent cell, as PyTorch's module names it (nn.RNN, nn.LSTM, nn.GRU).</summary>
public enum CellKind
{
    /// <summary>Elman: h_t = f(W_F x_t + b_ih + W_R h_{t-1} + b_hh), f = tanh or relu. One gate block.</summary>
    Rnn,

    /// <summary>LSTM, gate blocks i, f, g, o: c_t = f c_{t-1} + i g, h_t = o tanh(c_t). State h and c.</summary>
    Lstm,

    /// <summary>GRU, gate blocks r, z, n: n = tanh(W_Fn x + b_in + r (W_Rn h + b_hn)), h_t = (1 - z) n + z h_{t-1}.</summary>
    Gru,
}
