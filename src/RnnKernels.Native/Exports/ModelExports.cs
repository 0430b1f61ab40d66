using System.Runtime.InteropServices;
using RnnKernels.IO;

namespace RnnKernels.Native;

/// <summary>rnnk_model_*: create, load, save, free, describe, and parameters by name or flat.</summary>
internal static unsafe class ModelExports
{
    private const string What = "model";

    [UnmanagedCallersOnly(EntryPoint = "rnnk_model_create")]
    public static int Create(int input, int hidden, int output, int layers, int bidirectional, int cell, int nonlinearity, int seed, nint* model)
    {
        try
        {
            Out(model);
            if (cell is < 0 or > 2)
            {
                throw new ArgumentException($"cell must be RNNK_CELL_RNN (0), RNNK_CELL_LSTM (1) or RNNK_CELL_GRU (2), but it is {cell}.", nameof(cell));
            }

            if (nonlinearity is < 0 or > 1)
            {
                throw new ArgumentException($"nonlinearity must be RNNK_TANH (0) or RNNK_RELU (1), but it is {nonlinearity}.", nameof(nonlinearity));
            }

            var shape = new RnnShape(input, hidden, output, layers, bidirectional != 0, (Nonlinearity)nonlinearity, (CellKind)cell);
            *model = Handles.Add(new RnnModel(shape, seed));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_model_load")]
    public static int Load(byte* path, nint* model)
    {
        try
        {
            Out(model);
            *model = Handles.Add(ModelFile.Load(NativeArray.Text(path, nameof(path))).Model);
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_model_save")]
    public static int Save(nint model, byte* path)
    {
        try
        {
            ModelFile.Save(Handles.Get<RnnModel>(model, What), NativeArray.Text(path, nameof(path)));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_model_free")]
    public static int Free(nint model)
    {
        try
        {
            Handles.Remove<RnnModel>(model, What);
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_model_describe")]
    public static int Describe(nint model, ModelInfo* info)
    {
        try
        {
            RnnModel m = Handles.Get<RnnModel>(model, What);
            if (info is null)
            {
                throw new ArgumentException("info is NULL.", nameof(info));
            }

            RnnShape s = m.Shape;
            *info = new ModelInfo
            {
                InputSize = s.InputSize,
                HiddenSize = s.HiddenSize,
                OutputSize = s.OutputSize,
                Layers = s.Layers,
                Bidirectional = s.Bidirectional ? 1 : 0,
                Cell = (int)s.Cell,
                Nonlinearity = (int)s.Nonlinearity,
                TensorCount = m.Layout.Tensors.Count,
                ParameterCount = m.Parameters.Length,
            };
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_model_tensor")]
    public static int Tensor(nint model, int index, byte* name, long nameCapacity, long* rows, long* columns)
    {
        try
        {
            RnnModel m = Handles.Get<RnnModel>(model, What);
            if ((uint)index >= (uint)m.Layout.Tensors.Count)
            {
                throw new ArgumentException($"index must be in 0..{m.Layout.Tensors.Count - 1}, but it is {index}.", nameof(index));
            }

            ParameterTensor tensor = m.Layout.Tensors[index];
            Span<byte> target = NativeArray.Of(name, nameCapacity, nameof(name));
            int needed = System.Text.Encoding.UTF8.GetByteCount(tensor.Name) + 1;
            if (target.Length < needed)
            {
                throw new ArgumentException($"name must hold {needed} bytes for '{tensor.Name}', but name_count is {nameCapacity}.", nameof(name));
            }

            target[System.Text.Encoding.UTF8.GetBytes(tensor.Name, target)] = 0;
            if (rows is not null)
            {
                *rows = tensor.Rows;
            }

            if (columns is not null)
            {
                *columns = tensor.Columns;
            }

            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_model_get_parameter")]
    public static int GetParameter(nint model, byte* name, float* values, long valuesCount)
    {
        try
        {
            NativeArray.CopyOut(Values(model, name), values, valuesCount, nameof(values));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_model_set_parameter")]
    public static int SetParameter(nint model, byte* name, float* values, long valuesCount)
    {
        try
        {
            Span<float> target = Values(model, name);
            Span<float> source = NativeArray.Of(values, valuesCount, nameof(values));
            if (source.Length != target.Length)
            {
                throw new ArgumentException($"values must hold {target.Length} values, but values_count is {valuesCount}.", nameof(values));
            }

            source.CopyTo(target);
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    /// <summary>One tensor's values by name, or all parameters flat when the name is NULL.</summary>
    private static Span<float> Values(nint model, byte* name)
    {
        RnnModel m = Handles.Get<RnnModel>(model, What);
        return name is null ? m.Parameters : m.Parameter(NativeArray.Text(name, nameof(name)));
    }

    /// <summary>Checks an output handle pointer and clears what it points to, so a failed call leaves NULL there.</summary>
    internal static void Out(nint* handle)
    {
        if (handle is null)
        {
            throw new ArgumentException("the output handle pointer is NULL.", "out");
        }

        *handle = 0;
    }
}

/// <summary>rnnk_model_info.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ModelInfo
{
    public int InputSize;
    public int HiddenSize;
    public int OutputSize;
    public int Layers;
    public int Bidirectional;
    public int Cell;
    public int Nonlinearity;
    public int TensorCount;
    public long ParameterCount;
}
