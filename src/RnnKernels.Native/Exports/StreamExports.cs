using System.Runtime.InteropServices;

namespace RnnKernels.Native;

/// <summary>rnnk_stream_*: one inference step at a time, state kept, on a snapshot of the model's weights.</summary>
internal static unsafe class StreamExports
{
    private const string What = "stream";

    [UnmanagedCallersOnly(EntryPoint = "rnnk_stream_create")]
    public static int Create(nint model, int batch, nint* stream)
    {
        try
        {
            ModelExports.Out(stream);
            *stream = Handles.Add(new StreamingRnn(Handles.Get<RnnModel>(model, "model"), batch));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_stream_step")]
    public static int Step(nint stream, float* x, long xCount, float* y, long yCount)
    {
        try
        {
            Handles.Get<StreamingRnn>(stream, What).Step(NativeArray.Of(x, xCount, "x"), NativeArray.Of(y, yCount, "y"));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_stream_reset")]
    public static int Reset(nint stream)
    {
        try
        {
            Handles.Get<StreamingRnn>(stream, What).Reset();
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_stream_refresh")]
    public static int Refresh(nint stream)
    {
        try
        {
            Handles.Get<StreamingRnn>(stream, What).Refresh();
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rnnk_stream_free")]
    public static int Free(nint stream)
    {
        try
        {
            Handles.Remove<StreamingRnn>(stream, What);
            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
    }
}
