using System.Buffers;
using System.Runtime.InteropServices;

namespace RnnKernels.Native;

/// <summary>rnnk_stream_*: inference over whole sequences or one step at a time, state kept, on a snapshot of the model's weights.</summary>
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

    [UnmanagedCallersOnly(EntryPoint = "rnnk_stream_run")]
    public static int Run(
        nint stream, float* x, long xCount, int steps, long* lengths, long lengthsCount, float* h0, long h0Count, float* c0, long c0Count,
        float* y, long yCount, float* hN, long hNCount, float* cN, long cNCount)
    {
        int[]? narrowed = null;
        try
        {
            StreamingRnn s = Handles.Get<StreamingRnn>(stream, What);
            Span<long> given = NativeArray.Of(lengths, lengthsCount, "lengths");
            narrowed = given.IsEmpty ? null : ArrayPool<int>.Shared.Rent(given.Length);
            for (int b = 0; b < given.Length; b++)
            {
                narrowed![b] = given[b] is >= 1 and <= int.MaxValue
                    ? (int)given[b]
                    : throw new ArgumentException($"lengths[{b}] must be in 1..{steps}, but it is {given[b]}.", nameof(lengths));
            }

            SetState(NativeArray.Of(h0, h0Count, "h0"), s.State, "h0");
            SetState(NativeArray.Of(c0, c0Count, "c0"), s.CellState, "c0");
            s.Run(NativeArray.Of(x, xCount, "x"), steps, NativeArray.Of(y, yCount, "y"), narrowed.AsSpan(0, given.Length));
            if (hN is not null || hNCount != 0)
            {
                NativeArray.CopyOut(s.State, hN, hNCount, "h_n");
            }

            if (cN is not null || cNCount != 0)
            {
                NativeArray.CopyOut(s.CellState, cN, cNCount, "c_n");
            }

            return Status.Ok;
        }
        catch (Exception e)
        {
            return LastError.Report(e);
        }
        finally
        {
            if (narrowed is not null)
            {
                ArrayPool<int>.Shared.Return(narrowed);
            }
        }
    }

    /// <summary>Sets the stream's h (or c) from the caller's array when one is given (empty: the state is kept).</summary>
    private static void SetState(ReadOnlySpan<float> values, Span<float> state, string name)
    {
        if (values.IsEmpty)
        {
            return;
        }

        if (values.Length != state.Length)
        {
            throw new ArgumentException(
                state.IsEmpty ? "c0 is for an LSTM; this model has no cell state." : $"{name} must hold L*D x B x H = {state.Length} values, but {name}_count is {values.Length}.",
                name);
        }

        values.CopyTo(state);
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
