namespace RnnKernels.Kernels;

/// <summary>How <see cref="BPanelSource"/> gets B's micro-panels.</summary>
internal enum BPanelSchema
{
    /// <summary>Packed beforehand.</summary>
    Prepacked,

    /// <summary>The whole KC x NC block packed once per k block.</summary>
    Block,

    /// <summary>Read in place (the narrow last panel packed).</summary>
    InPlace,

    /// <summary>Packed a group of panels at a time just before use (the narrow last panel on its own).</summary>
    Groups,

    /// <summary>Packed one panel at a time just before use.</summary>
    OneAtATime,
}
