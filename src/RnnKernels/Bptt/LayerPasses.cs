namespace RnnKernels;

/// <summary>The layer passes of each cell: the Elman passes, and the gated passes written once over their cell.</summary>
internal static class LayerPasses
{
    private static readonly ILayerPasses Elman = new ElmanPasses();
    private static readonly ILayerPasses Lstm = new GatedPasses<LstmCell>();
    private static readonly ILayerPasses Gru = new GatedPasses<GruCell>();

    /// <summary>The passes of <paramref name="cell"/>.</summary>
    public static ILayerPasses For(CellKind cell) => cell switch
    {
        CellKind.Lstm => Lstm,
        CellKind.Gru => Gru,
        _ => Elman,
    };

    private sealed class ElmanPasses : ILayerPasses
    {
        public void Forward(RnnModel model, RnnWorkspace ws, int layer, int direction, int steps, int batch) =>
            RecurrentLayer.Forward(model, ws, layer, direction, steps, batch);

        public void Backward(
            RnnModel model, RnnWorkspace ws, float[] gradients, int layer, int direction, int steps, int batch, Span<float> inputGradient,
            bool overwriteInputGradient) =>
            RecurrentLayer.Backward(model, ws, gradients, layer, direction, steps, batch, inputGradient, overwriteInputGradient);
    }

    private sealed class GatedPasses<TCell> : ILayerPasses
        where TCell : struct, IGatedCell
    {
        public void Forward(RnnModel model, RnnWorkspace ws, int layer, int direction, int steps, int batch) =>
            GatedLayer<TCell>.Forward(model, ws, layer, direction, steps, batch);

        public void Backward(
            RnnModel model, RnnWorkspace ws, float[] gradients, int layer, int direction, int steps, int batch, Span<float> inputGradient,
            bool overwriteInputGradient) =>
            GatedLayer<TCell>.Backward(model, ws, gradients, layer, direction, steps, batch, inputGradient, overwriteInputGradient);
    }
}
