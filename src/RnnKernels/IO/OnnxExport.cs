using System.Runtime.InteropServices;
using Google.Protobuf;
using RnnKernels.IO.Onnx;

namespace RnnKernels.IO;

/// <summary>
/// Writes a model as a standard ONNX file (opset 14) that ONNX Runtime and other deployment runtimes run: one ONNX
/// <c>RNN</c>, <c>LSTM</c> or <c>GRU</c> operator per layer (both directions in one, "bidirectional"), the output layer as
/// <c>MatMul</c> + <c>Add</c>, graph inputs <c>x</c> [T, B, I], <c>h0</c> [L*D, B, H] and for an LSTM <c>c0</c>, outputs
/// <c>y</c> [T, B, O] (the top layer's h_t [T, B, D*H] for the recurrent layers alone), <c>h_n</c> and for an LSTM
/// <c>c_n</c>; T and B are dynamic.
/// </summary>
/// <remarks>
/// PyTorch's gate order is mapped to ONNX's: LSTM i, f, g, o becomes i, o, f, c; GRU r, z, n becomes z, r, h with
/// <c>linear_before_reset = 1</c> (PyTorch's GRU multiplies r with the whole W_hn h + b_hn); each direction's biases are
/// ONNX's B = [Wb, Rb] = [b_ih, b_hh]. Every sequence runs all T steps (the graph has no lengths input).
/// </remarks>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the file uses.</summary>
    public const int Opset = 14;

    private const int IrVersion = 7; // ONNX 1.9's IR, the one that goes with opset 14.

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="model">The model (any cell, layers and directions, with or without an output layer).</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The model holds a non-finite parameter (nothing is written).</exception>
    /// <exception cref="IOException">The file could not be written (a previous file is left as it was).</exception>
    public static void Save(RnnModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelFile.EnsureFinite(model, path, "export");
        ModelProto onnx = Build(model);
        AtomicFile.Write(path, stream => onnx.WriteTo(stream));
    }

    /// <summary>The ONNX model of <paramref name="model"/>.</summary>
    internal static ModelProto Build(RnnModel model)
    {
        RnnShape shape = model.Shape;
        var graph = new GraphProto { Name = $"rnnkernels_{ModelFile.CellName(shape.Cell)}" };
        int d = shape.Directions, h = shape.HiddenSize;
        graph.Input.Add(Value("x", "T", "B", shape.InputSize));
        graph.Input.Add(Value("h0", shape.Layers * d, "B", h));
        if (shape.HasCellState)
        {
            graph.Input.Add(Value("c0", shape.Layers * d, "B", h));
        }

        graph.Initializer.Add(Int64s("shape_t_b_dh", [0, 0, d * h])); // Reshape: keep T and B, join the directions.
        string x = "x";
        var finalStates = new List<string>();
        var finalCells = new List<string>();
        for (int layer = 0; layer < shape.Layers; layer++)
        {
            (string y, string hN, string? cN) = Layer(model, graph, layer, x);
            finalStates.Add(hN);
            if (cN is not null)
            {
                finalCells.Add(cN);
            }

            // Y is [T, D, B, H]: the next layer (and the output layer) reads [T, B, D*H].
            graph.Node.Add(Node("Transpose", [y], [$"l{layer}_y_tbdh"], Ints("perm", [0, 2, 1, 3])));
            x = $"l{layer}_out";
            graph.Node.Add(Node("Reshape", [$"l{layer}_y_tbdh", "shape_t_b_dh"], [x]));
        }

        graph.Node.Add(Node("Concat", [.. finalStates], ["h_n"], Int("axis", 0)));
        if (shape.HasCellState)
        {
            graph.Node.Add(Node("Concat", [.. finalCells], ["c_n"], Int("axis", 0)));
        }

        int outputs = shape.NetworkOutputSize;
        if (model.Layout.OutputWeight is { } weight)
        {
            // o = h W_o^T + b_o: MatMul with W_o^T [D*H, O] broadcasts over T and B.
            graph.Initializer.Add(Floats("out_weight_t", [d * h, outputs], Transposed(model.View(weight), outputs, d * h)));
            graph.Initializer.Add(Floats("out_bias", [outputs], model.View(model.Layout.OutputBias!)));
            graph.Node.Add(Node("MatMul", [x, "out_weight_t"], ["out_product"]));
            graph.Node.Add(Node("Add", ["out_product", "out_bias"], ["y"]));
        }
        else
        {
            graph.Node.Add(Node("Identity", [x], ["y"]));
        }

        graph.Output.Add(Value("y", "T", "B", outputs));
        graph.Output.Add(Value("h_n", shape.Layers * d, "B", h));
        if (shape.HasCellState)
        {
            graph.Output.Add(Value("c_n", shape.Layers * d, "B", h));
        }

        var onnx = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "RnnKernels",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "",
            DocString = $"{ModelFile.CellName(shape.Cell)}: I={shape.InputSize} H={h} O={shape.OutputSize} layers={shape.Layers} directions={d}",
            Graph = graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return onnx;
    }

    /// <summary>One layer (both directions) as an ONNX recurrent operator; returns the names of Y, Y_h and Y_c.</summary>
    private static (string Y, string Hn, string? Cn) Layer(RnnModel model, GraphProto graph, int layer, string x)
    {
        RnnShape shape = model.Shape;
        int d = shape.Directions, h = shape.HiddenSize, gh = shape.GateRows, width = shape.LayerInputSize(layer);
        int[] order = shape.Cell switch
        {
            CellKind.Lstm => [0, 3, 1, 2], // PyTorch i, f, g, o -> ONNX i, o, f, c
            CellKind.Gru => [1, 0, 2], // PyTorch r, z, n -> ONNX z, r, h
            _ => [0],
        };
        float[] w = new float[d * gh * width], r = new float[d * gh * h], b = new float[d * 2 * gh];
        for (int direction = 0; direction < d; direction++)
        {
            RecurrentTensors t = model.Layout.Recurrent(layer, direction);
            Reorder(model.View(t.WeightIh), order, h * width, w.AsSpan(direction * gh * width, gh * width));
            Reorder(model.View(t.WeightHh), order, h * h, r.AsSpan(direction * gh * h, gh * h));
            Reorder(model.View(t.BiasIh), order, h, b.AsSpan(direction * 2 * gh, gh));
            Reorder(model.View(t.BiasHh), order, h, b.AsSpan((direction * 2 * gh) + gh, gh));
        }

        string prefix = $"l{layer}";
        graph.Initializer.Add(Floats($"{prefix}_W", [d, gh, width], w));
        graph.Initializer.Add(Floats($"{prefix}_R", [d, gh, h], r));
        graph.Initializer.Add(Floats($"{prefix}_B", [d, 2 * gh], b));
        graph.Initializer.Add(Int64s($"{prefix}_state_from", [layer * d]));
        graph.Initializer.Add(Int64s($"{prefix}_state_to", [(layer + 1) * d]));
        graph.Initializer.Add(Int64s($"{prefix}_state_axis", [0]));
        graph.Node.Add(Node("Slice", ["h0", $"{prefix}_state_from", $"{prefix}_state_to", $"{prefix}_state_axis"], [$"{prefix}_h0"]));
        string y = $"{prefix}_y", hN = $"{prefix}_h_n";
        var inputs = new List<string> { x, $"{prefix}_W", $"{prefix}_R", $"{prefix}_B", "", $"{prefix}_h0" };
        var outputs = new List<string> { y, hN };
        string? cN = null;
        if (shape.HasCellState)
        {
            graph.Node.Add(Node("Slice", ["c0", $"{prefix}_state_from", $"{prefix}_state_to", $"{prefix}_state_axis"], [$"{prefix}_c0"]));
            inputs.Add($"{prefix}_c0");
            cN = $"{prefix}_c_n";
            outputs.Add(cN);
        }

        var attributes = new List<AttributeProto>
        {
            Int("hidden_size", h),
            Text("direction", d == 2 ? "bidirectional" : "forward"),
        };
        string op = shape.Cell switch
        {
            CellKind.Lstm => "LSTM",
            CellKind.Gru => "GRU",
            _ => "RNN",
        };
        if (shape.Cell == CellKind.Gru)
        {
            attributes.Add(Int("linear_before_reset", 1));
        }
        else if (shape.Cell == CellKind.Rnn)
        {
            string activation = shape.Nonlinearity == Nonlinearity.Tanh ? "Tanh" : "Relu";
            attributes.Add(Texts("activations", [.. Enumerable.Repeat(activation, d)]));
        }

        graph.Node.Add(Node(op, [.. inputs], [.. outputs], [.. attributes]));
        return (y, hN, cN);
    }

    /// <summary>Copies the gate blocks of <paramref name="source"/> (each <paramref name="block"/> values) in ONNX's order.</summary>
    private static void Reorder(ReadOnlySpan<float> source, int[] order, int block, Span<float> target)
    {
        for (int i = 0; i < order.Length; i++)
        {
            source.Slice(order[i] * block, block).CopyTo(target.Slice(i * block, block));
        }
    }

    private static float[] Transposed(ReadOnlySpan<float> matrix, int rows, int columns)
    {
        float[] t = new float[matrix.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                t[(c * rows) + r] = matrix[(r * columns) + c];
            }
        }

        return t;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{outputs[0]}" };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    private static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private static AttributeProto Texts(string name, string[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.Add(values.Select(ByteString.CopyFromUtf8));
        return attribute;
    }

    private static TensorProto Floats(string name, long[] dims, ReadOnlySpan<float> values)
    {
        // raw_data is the values as little-endian IEEE 754 floats.
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        tensor.Dims.Add(dims);
        return tensor;
    }

    private static TensorProto Int64s(string name, long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.Add(values);
        return tensor;
    }

    private static ValueInfoProto Value(string name, params object[] dims)
    {
        var tensorShape = new TensorShapeProto();
        foreach (object dim in dims)
        {
            tensorShape.Dim.Add(dim is string symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) });
        }

        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } };
        return new ValueInfoProto { Name = name, Type = type };
    }
}
