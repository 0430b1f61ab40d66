using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>Every ISA path this process can run, as xUnit member data, so each test covers each tier.</summary>
public static class Paths
{
    public static TheoryData<IsaPath> Supported
    {
        get
        {
            TheoryData<IsaPath> data = [];
            foreach (IsaPath path in KernelPaths.Supported)
            {
                data.Add(path);
            }

            return data;
        }
    }
}
