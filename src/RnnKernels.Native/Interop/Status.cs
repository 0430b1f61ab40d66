namespace RnnKernels.Native;

/// <summary>The rnnk_status codes of rnnkernels.h.</summary>
internal static class Status
{
    public const int Ok = 0;
    public const int InvalidArgument = 1;
    public const int InvalidHandle = 2;
    public const int InvalidState = 3;
    public const int Io = 4;
    public const int Internal = 5;
}
