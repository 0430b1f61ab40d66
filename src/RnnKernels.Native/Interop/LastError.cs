using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace RnnKernels.Native;

/// <summary>
/// The message of the calling thread's last failed call, as a NUL-terminated UTF-8 string in native memory the
/// thread owns (reused and grown as needed), so the pointer rnnk_last_error returns stays valid until that thread's
/// next failed call. Successful calls do not touch it; only failures allocate.
/// </summary>
internal static unsafe class LastError
{
    [ThreadStatic]
    private static byte* t_message;

    [ThreadStatic]
    private static int t_capacity;

    /// <summary>The current message ("" before any failure).</summary>
    public static byte* Pointer => t_message is null ? Empty() : t_message;

    /// <summary>Records <paramref name="exception"/> and returns its status code.</summary>
    public static int Report(Exception exception)
    {
        string message = AbiMessage.Of(exception);
        int status = exception switch
        {
            InvalidHandleException or ObjectDisposedException => Status.InvalidHandle,
            ArgumentException => Status.InvalidArgument,
            InvalidOperationException => Status.InvalidState,
            FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or InvalidDataException or IOException => Status.Io,
            _ => Status.Internal,
        };
        Set(status == Status.Internal ? $"internal error ({exception.GetType().Name}): {message}" : message);
        return status;
    }

    /// <summary>Records a message for a failure detected without an exception.</summary>
    public static int Fail(int status, string message)
    {
        Set(message);
        return status;
    }

    private static void Set(string message)
    {
        int bytes = Encoding.UTF8.GetByteCount(message);
        if (t_capacity < bytes + 1)
        {
            NativeMemory.Free(t_message);
            t_message = (byte*)NativeMemory.Alloc((nuint)(bytes + 1));
            t_capacity = bytes + 1;
        }

        Encoding.UTF8.GetBytes(message, new Span<byte>(t_message, bytes));
        t_message[bytes] = 0;
    }

    private static byte* Empty() => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference("\0"u8));
}
