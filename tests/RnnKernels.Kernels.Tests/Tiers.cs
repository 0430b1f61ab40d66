using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>Every ISA tier this process can run, as xUnit member data, so each test covers each tier.</summary>
public static class Tiers
{
    public static TheoryData<IsaTier> Supported
    {
        get
        {
            TheoryData<IsaTier> data = [];
            foreach (IsaTier tier in KernelTiers.Supported)
            {
                data.Add(tier);
            }

            return data;
        }
    }
}
