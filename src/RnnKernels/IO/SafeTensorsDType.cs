namespace RnnKernels.IO;

/// <summary>The safetensors element types this library reads and writes.</summary>
public enum SafeTensorsDType
{
    /// <summary>32-bit IEEE float, little-endian.</summary>
    F32,

    /// <summary>64-bit IEEE float, little-endian.</summary>
    F64,

    /// <summary>64-bit signed integer, little-endian.</summary>
    I64,
}
