using BenchmarkDotNet.Attributes;
using RnnKernels.Kernels;

namespace RnnKernels.Benchmarks;

/// <summary>
/// The two products of an LSTM step at batch 1 (H = 100, W_R 400 x 100): h W_R^T forward and dA W_R backward, on every
/// tier the process runs, against OpenBLAS on one thread: B read in place (the plain product), packed in the GEMM's
/// panels, and packed <see cref="PackedLayout.OneRow"/>; and what packing each layout costs (once per pass of T steps).
/// </summary>
[MemoryDiagnoser]
public class OneRowBenchmarks
{
    private float[] _x = [], _w = [], _c = [];
    private int _n, _k;
    private Transpose _transB;
    private PackedMatrix _panels = new(0, 0), _oneRow = new(0, 0, PackedLayout.OneRow);

    /// <summary>"forward": h W_R^T (n = 400, k = 100, W_R read transposed); "backward": dA W_R (n = 100, k = 400).</summary>
    [Params("forward", "backward")]
    public string Product { get; set; } = "";

    [ParamsSource(nameof(Tiers))]
    public IsaTier Tier { get; set; }

    public static IEnumerable<IsaTier> Tiers => GemmBenchmarks.Tiers;

    [GlobalSetup]
    public void Setup()
    {
        (_n, _k, _transB) = Product == "forward" ? (400, 100, Transpose.Yes) : (100, 400, Transpose.No);
        var random = new Random(1);
        _x = GemmBenchmarks.Fill(random, _k);
        _w = GemmBenchmarks.Fill(random, 400 * 100);
        _c = new float[_n];
        _panels = new PackedMatrix(_k, _n);
        _oneRow = new PackedMatrix(_k, _n, PackedLayout.OneRow);
        PackPanels();
        PackOneRow();
        OpenBlas.SetThreads(1);
    }

    [Benchmark(Baseline = true)]
    public void OpenBlasSgemm() => OpenBlas.Sgemm(1, _n, _k, _x, _w, _transB == Transpose.Yes, 1f, _c);

    [Benchmark]
    public void InPlace() =>
        Gemm.Compute(Tier, Transpose.No, _transB, 1, _n, _k, 1f, _x, _k, _w, _transB == Transpose.Yes ? _k : _n, 1f, _c, _n);

    [Benchmark]
    public void PackedPanels() => Gemm.Compute(Transpose.No, 1, 1f, _x, _k, _panels, 1f, _c, _n);

    [Benchmark]
    public void PackedOneRow() => Gemm.Compute(Transpose.No, 1, 1f, _x, _k, _oneRow, 1f, _c, _n);

    [Benchmark]
    public void PackPanels() => _panels.Pack(Tier, _transB, _k, _n, _w, _transB == Transpose.Yes ? _k : _n);

    [Benchmark]
    public void PackOneRow() => _oneRow.Pack(Tier, _transB, _k, _n, _w, _transB == Transpose.Yes ? _k : _n);
}
