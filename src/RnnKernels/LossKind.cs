namespace RnnKernels;

/// <summary>The loss a backward pass differentiates, summed over steps and batch.</summary>
public enum LossKind
{
    /// <summary>Softmax cross-entropy against class targets [T, B].</summary>
    CrossEntropy,

    /// <summary>Squared error against float targets [T, B, O] (PyTorch MSELoss with reduction='sum').</summary>
    SquaredError,
}
