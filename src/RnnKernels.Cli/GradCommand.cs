using RnnKernels.IO;

namespace RnnKernels.Cli;

/// <summary><c>rnnk grad</c>: one forward and backward pass; writes loss, h_n and every gradient (PyTorch names).</summary>
internal static class GradCommand
{
    private const string Help = """
        rnnk grad --model M --data D --out G [--loss cross-entropy|mse]

          --model   safetensors model (PyTorch names: rnn.weight_ih_l0, ..., out.weight, out.bias)
          --data    safetensors data: x [T,B,I] F32, optional h0 [L*D,B,H] F32 (and c0 for an lstm), lengths [B] I64,
                    targets [T,B] I64 (cross-entropy) or y [T,B,O] F32 (mse)
          --out     where to write loss [1], h_n [L*D,B,H] (and c_n for an lstm) and grad.<name> for every model tensor
        The cell (rnn, lstm, gru) comes from the model file's metadata.
          --loss    cross-entropy (default) or mse; both summed over steps and batch
        """;

    public static int Run(string[] args, TextWriter output)
    {
        if (HelpText.Requested(args, output, Help))
        {
            return CliApp.Ok;
        }

        var options = new CliArguments(args, new HashSet<string>());
        string modelPath = options.RequiredString("model");
        string dataPath = options.RequiredString("data");
        string outPath = options.RequiredOutputFile("out");
        LossKind loss = options.Choice("loss", LossKind.CrossEntropy, LossNames.All);
        options.EnsureAllUsed("grad");

        (RnnModel model, _) = ModelFile.Load(modelPath);
        SequenceData data = DataFile.Load(dataPath, model.Shape, loss);
        var engine = new RnnEngine(model, data.Steps, data.Batch);
        engine.Forward(data.Inputs, data.Steps, data.Batch, data.Lengths, data.InitialState, data.InitialCellState);
        double value = loss == LossKind.CrossEntropy ? engine.BackwardCrossEntropy(data.ClassTargets) : engine.BackwardSquaredError(data.ValueTargets);

        RnnShape shape = model.Shape;
        var tensors = new List<KeyValuePair<string, SafeTensor>>
        {
            new("loss", SafeTensor.FromFloats([1], [(float)value])),
            new("h_n", SafeTensor.FromFloats([shape.Layers * shape.Directions, data.Batch, shape.HiddenSize], engine.FinalState)),
        };
        if (shape.HasCellState)
        {
            tensors.Add(new("c_n", SafeTensor.FromFloats([shape.Layers * shape.Directions, data.Batch, shape.HiddenSize], engine.FinalCellState)));
        }

        foreach (ParameterTensor tensor in model.Layout.Tensors)
        {
            tensors.Add(new($"grad.{tensor.Name}", SafeTensor.FromFloats(tensor.Shape, engine.Gradients.AsSpan(tensor.Offset, tensor.Length))));
        }

        SafeTensorsFile.Write(outPath, tensors, new Dictionary<string, string>());
        output.WriteLine($"grad loss={value:R} T={data.Steps} B={data.Batch} wrote={outPath}");
        return CliApp.Ok;
    }
}
