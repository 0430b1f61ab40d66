using System.Runtime.InteropServices;
using RnnKernels.Optimizers;

namespace RnnKernels.Native;

/// <summary>rnnk_optimizer_*: SGD (with momentum), Adagrad and Adam, stepped with optional clipping.</summary>
internal static unsafe class OptimizerExports
{
    private const string What = "optimizer";

    [UnmanagedCallersOnly(EntryPoint = "rnnk_optimizer_create")]
    public static int Create(nint model, OptimizerOptions* options, nint* optimizer)
    {
        try
        {
            ModelExports.Out(optimizer);
            RnnModel m = Handles.Get<RnnModel>(model, "model");
            if (options is null)
            {
                throw new ArgumentException("options is NULL.", nameof(options));
            }

            OptimizerOptions o = *options;
            int n = m.Parameters.Length;
            IOptimizer created = o.Kind switch
            {
                0 => new Sgd(n, o.LearningRate, o.Momentum),
                1 => new Adagrad(n, o.LearningRate, o.Epsilon),
                2 => new Adam(n, o.LearningRate, o.Beta1, o.Beta2, o.Epsilon),
                _ => throw new ArgumentException($"kind must be RNNK_SGD (0), RNNK_ADAGRAD (1) or RNNK_ADAM (2), but it is {o.Kind}.", nameof(options)),
            };
            if (!(o.ClipNorm >= 0) || !float.IsFinite(o.ClipNorm))
            {
                throw new ArgumentException($"clip_norm must be 0 (off) or a positive finite number, but it is {o.ClipNorm}.", nameof(options));
            }

            *optimizer = Handles.Add(new NativeOptimizer(created, m, o.ClipNorm));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_optimizer_step")]
    public static int Step(nint optimizer, nint engine, double* gradientNorm)
    {
        try
        {
            NativeOptimizer o = Handles.Get<NativeOptimizer>(optimizer, What);
            double norm = o.Step(Handles.Get<NativeEngine>(engine, "engine").Engine);
            if (gradientNorm is not null)
            {
                *gradientNorm = norm;
            }

            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_optimizer_free")]
    public static int Free(nint optimizer)
    {
        try
        {
            Handles.Remove<NativeOptimizer>(optimizer, What);
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }
}

/// <summary>rnnk_optimizer_options.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct OptimizerOptions
{
    public int Kind;
    public float LearningRate;
    public float Momentum;
    public float Beta1;
    public float Beta2;
    public float Epsilon;
    public float ClipNorm;
}
