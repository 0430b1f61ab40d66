using RnnKernels.IO;

namespace RnnKernels.Cli;

/// <summary><c>rnnk export</c>: writes a model file (or the model in a checkpoint) as ONNX.</summary>
internal static class ExportCommand
{
    private const string Help = """
        rnnk export --model PATH.safetensors --out FILE.onnx

          Writes the model as a standard ONNX file (opset 14: the RNN, LSTM and GRU operators, MatMul + Add for the
          output layer) that ONNX Runtime and other runtimes run. Inputs x [T, B, I], h0 [L*D, B, H] (and c0 for an
          LSTM), outputs y [T, B, O], h_n (and c_n); T and B are dynamic. Every sequence runs all T steps.
        """;

    public static int Run(string[] args, TextWriter output)
    {
        if (HelpText.Requested(args, output, Help))
        {
            return CliApp.Ok;
        }

        var options = new CliArguments(args, new HashSet<string>());
        string path = options.RequiredString("model");
        string onnx = options.RequiredOutputFile("out");
        options.EnsureAllUsed("export");
        (RnnModel model, _) = ModelFile.Load(path);
        OnnxExport.Save(model, onnx);
        RnnShape shape = model.Shape;
        output.WriteLine($"exported cell={ModelFile.CellName(shape.Cell)} layers={shape.Layers} directions={shape.Directions} opset={OnnxExport.Opset} out={onnx}");
        return CliApp.Ok;
    }
}
