using System.Runtime.CompilerServices;
namespace RnnKernels.Kernels;

/// <summary>
/// Packs op(B) into a <see cref="PackedMatrix"/>'s panels, split over a <see cref="WorkerPool"/> by ranges of
/// panels (each part writes only its own panels, so the result does not depend on the split). One instance per
/// pool, reused.
/// </summary>
internal sealed unsafe class GemmPackWork : IParallelWork
{
    /// <summary>Below this many elements the wake-up of the workers costs more than the copy.</summary>
    public const long MinimumWork = 1 << 16;

    private Transpose _transB;
    private int _k, _n, _nr, _kc;
    private float* _b;
    private nint _ldb;
    private PackedPanels _panels;

    public void Set(Transpose transB, int k, int n, float* b, nint ldb, int nr, int kc, PackedPanels panels)
    {
        (_transB, _k, _n, _nr, _kc) = (transB, k, n, nr, kc);
        _b = b;
        _ldb = ldb;
        _panels = panels;
    }

    public void Execute(int part, int parts)
    {
        int panels = (_n + _nr - 1) / _nr;
        int chunk = (panels + parts - 1) / parts;
        int first = Math.Min(panels, part * chunk);
        PackPanels(_transB, _k, _n, _b, _ldb, _nr, _kc, _panels, first, Math.Min(panels, first + chunk));
    }

    /// <summary>Packs panels [first, end) of every k block: the columns [first * nr, end * nr) of op(B), zero-padded past n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackPanels(Transpose transB, int k, int n, float* b, nint ldb, int nr, int kcMax, PackedPanels panels, int first, int end)
    {
        for (int pc = 0; pc < k; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc);
            for (int panel = first; panel < end; panel++)
            {
                int j = panel * nr;
                GemmPacking.PackBPanel(transB, b, ldb, pc, j, kc, Math.Min(nr, n - j), nr, panels.Panel(pc, kc, j));
            }
        }
    }
}
