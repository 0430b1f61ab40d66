namespace RnnKernels;

/// <summary>
/// The forward and backward passes of one layer direction for a model's cell, chosen once when an engine is made
/// (<see cref="LayerPasses.For"/>), so the step loops are compiled for that cell and no pass branches on it.
/// </summary>
internal interface ILayerPasses
{
    /// <summary>Runs layer <paramref name="layer"/>, direction <paramref name="direction"/> over all steps.</summary>
    void Forward(RnnModel model, RnnWorkspace ws, int layer, int direction, int steps, int batch);

    /// <summary>
    /// Back-propagates through layer <paramref name="layer"/>, direction <paramref name="direction"/>: adds the weight
    /// gradients, writes dE/dh_0 (and dE/dc_0), and adds dE/dx into <paramref name="inputGradient"/> when it is not
    /// empty (overwriting it when <paramref name="overwriteInputGradient"/>).
    /// </summary>
    void Backward(
        RnnModel model, RnnWorkspace ws, float[] gradients, int layer, int direction, int steps, int batch, Span<float> inputGradient,
        bool overwriteInputGradient);
}
