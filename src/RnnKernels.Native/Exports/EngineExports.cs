using System.Runtime.InteropServices;
using RnnKernels.Kernels;

namespace RnnKernels.Native;

/// <summary>rnnk_engine_*: forward, backward with either loss, gradients, states and the input gradient.</summary>
internal static unsafe class EngineExports
{
    private const string What = "engine";

    [UnmanagedCallersOnly(EntryPoint = "rnnk_engine_create")]
    public static int Create(nint model, int maxSteps, int maxBatch, int threads, nint* engine)
    {
        try
        {
            ModelExports.Out(engine);
            RnnModel m = Handles.Get<RnnModel>(model, "model");
            if (threads is < 1 or > 256)
            {
                throw new ArgumentException($"threads must be in 1..256, but it is {threads}.", nameof(threads));
            }

            WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
            try
            {
                *engine = Handles.Add(new NativeEngine(new RnnEngine(m, maxSteps, maxBatch, pool), pool));
            }
            catch
            {
                pool?.Dispose();
                throw;
            }

            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_engine_free")]
    public static int Free(nint engine)
    {
        try
        {
            Handles.Remove<NativeEngine>(engine, What).Dispose();
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_engine_set_input_gradient")]
    public static int SetInputGradient(nint engine, int enabled)
    {
        try
        {
            Handles.Get<NativeEngine>(engine, What).Engine.ComputeInputGradient = enabled != 0;
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_engine_forward")]
    public static int Forward(
        nint engine, float* x, long xCount, int steps, int batch, long* lengths, long lengthsCount, float* h0, long h0Count,
        float* c0, long c0Count, float* outputs, long outputsCount)
    {
        try
        {
            NativeEngine native = Handles.Get<NativeEngine>(engine, What);
            RnnEngine e = native.Engine;
            e.Forward(NativeArray.Of(x, xCount, "x"), steps, batch, native.Lengths(NativeArray.Of(lengths, lengthsCount, "lengths")),
                NativeArray.Of(h0, h0Count, "h0"), NativeArray.Of(c0, c0Count, "c0"));
            if (outputs is not null || outputsCount != 0)
            {
                NativeArray.CopyOut(e.Outputs, outputs, outputsCount, nameof(outputs));
            }

            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_engine_backward_cross_entropy")]
    public static int BackwardCrossEntropy(nint engine, long* targets, long targetsCount, double* loss)
    {
        try
        {
            NativeEngine native = Handles.Get<NativeEngine>(engine, What);
            double value = native.Engine.BackwardCrossEntropy(native.Targets(NativeArray.Of(targets, targetsCount, "targets")));
            if (loss is not null)
            {
                *loss = value;
            }

            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_engine_backward_mse")]
    public static int BackwardSquaredError(nint engine, float* y, long yCount, double* loss)
    {
        try
        {
            double value = Handles.Get<NativeEngine>(engine, What).Engine.BackwardSquaredError(NativeArray.Of(y, yCount, "y"));
            if (loss is not null)
            {
                *loss = value;
            }

            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_engine_backward")]
    public static int Backward(nint engine, float* dOutputs, long dOutputsCount, float* dhN, long dhNCount, float* dcN, long dcNCount)
    {
        try
        {
            Handles.Get<NativeEngine>(engine, What).Engine.Backward(
                NativeArray.Of(dOutputs, dOutputsCount, "d_outputs"), NativeArray.Of(dhN, dhNCount, "dh_n"), NativeArray.Of(dcN, dcNCount, "dc_n"));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_engine_set_dropout")]
    public static int SetDropout(nint engine, float probability, long seed)
    {
        try
        {
            RnnEngine e = Handles.Get<NativeEngine>(engine, What).Engine;
            e.Dropout = probability;
            e.DropoutSeed = (ulong)seed;
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_engine_zero_grad")]
    public static int ZeroGradients(nint engine)
    {
        try
        {
            Handles.Get<NativeEngine>(engine, What).Engine.ZeroGradients();
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_engine_get_gradient")]
    public static int GetGradient(nint engine, byte* name, float* values, long valuesCount)
    {
        try
        {
            RnnEngine e = Handles.Get<NativeEngine>(engine, What).Engine;
            ReadOnlySpan<float> source = name is null ? e.Gradients : e.Gradient(NativeArray.Text(name, nameof(name)));
            NativeArray.CopyOut(source, values, valuesCount, nameof(values));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_engine_get_state")]
    public static int GetState(nint engine, int which, float* values, long valuesCount)
    {
        try
        {
            RnnEngine e = Handles.Get<NativeEngine>(engine, What).Engine;
            ReadOnlySpan<float> source = which switch
            {
                0 => e.Outputs,
                1 => e.FinalState,
                2 => e.FinalCellState,
                3 => e.InitialStateGradient,
                4 => e.InitialCellStateGradient,
                5 => e.InputGradient,
                6 => e.HiddenStates,
                _ => throw new ArgumentException($"which must be an rnnk_state value (0..6), but it is {which}.", nameof(which)),
            };
            NativeArray.CopyOut(source, values, valuesCount, nameof(values));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }
}
