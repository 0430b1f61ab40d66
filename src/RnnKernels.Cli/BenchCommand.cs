using System.Diagnostics;
using RnnKernels.Kernels;
using RnnKernels.Optimizers;

namespace RnnKernels.Cli;

/// <summary>
/// <c>rnnk bench</c>: times one full training step (forward, summed cross-entropy, BPTT, SGD update) and prints
/// ms_per_step, gflops (6 T B (I H + H H + H O) per step) and the bytes allocated per step after warm-up.
/// </summary>
internal static class BenchCommand
{
    private const string Help = """
        rnnk bench [--preset charrnn|small-b1|mid-b16|large-b64|long-b8|all] [--threads 1]
                   [--seq T --batch B --input I --hidden H --output O] [--seconds 2] [--seed 1]

        Prints one line per size: ms_per_step (median of 5 rounds), gflops, alloc_bytes_per_step.
        """;

    public static int Run(string[] args, TextWriter output)
    {
        if (HelpText.Requested(args, output, Help))
        {
            return CliApp.Ok;
        }

        var options = new CliArguments(args, new HashSet<string>());
        string? presetName = options.String("preset");
        int threads = options.Int("threads", 1, 1, 1);
        double seconds = options.Float("seconds", 2f, 0f, 600f, minExclusive: true);
        int seed = options.Int("seed", 1, 0, int.MaxValue);
        var sizes = new[] { "seq", "batch", "input", "hidden", "output" }.Select(n => options.String(n)).ToArray();
        IReadOnlyList<BenchPreset> presets;
        if (sizes.Any(s => s is not null))
        {
            if (presetName is not null)
            {
                throw new UsageException("give either --preset or explicit sizes (--seq --batch --input --hidden --output), not both");
            }

            presets = [new BenchPreset("custom", options.Int("seq", 32, 1, 100_000), options.Int("batch", 1, 1, 4096),
                options.Int("input", 64, 1, 65_536), options.Int("hidden", 128, 1, 16_384), options.Int("output", 64, 1, 65_536))];
        }
        else
        {
            presetName ??= "charrnn";
            presets = presetName == "all" ? BenchPreset.All
                : [BenchPreset.All.FirstOrDefault(p => p.Name == presetName)
                    ?? throw new UsageException($"--preset must be one of {string.Join(", ", BenchPreset.All.Select(p => p.Name))}, all; got '{presetName}'")];
        }

        options.EnsureAllUsed("bench");
        foreach (BenchPreset preset in presets)
        {
            Measure(preset, threads, seconds, seed, output);
        }

        return CliApp.Ok;
    }

    private static void Measure(BenchPreset p, int threads, double seconds, int seed, TextWriter output)
    {
        var shape = new RnnShape(p.Input, p.Hidden, p.Output);
        var model = new RnnModel(shape, seed);
        SequenceData data = SequenceData.CreateRandom(shape, p.Steps, p.Batch, LossKind.CrossEntropy, seed + 1);
        var trainer = new Trainer(new RnnEngine(model, p.Steps, p.Batch), new Sgd(model.Parameters.Length, 1e-3f));
        void Step() => trainer.Step(data.Inputs, p.Steps, p.Batch, data.ClassTargets);

        // Warm up (JIT tiers, scratch buffers), then 5 timed rounds; the median round is reported.
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 3 || clock.Elapsed.TotalSeconds < Math.Min(0.5, seconds / 4); i++)
        {
            Step();
        }

        const int Rounds = 5;
        var perStep = new double[Rounds];
        long steps = 0;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < Rounds; round++)
        {
            clock.Restart();
            int n = 0;
            do
            {
                Step();
                n++;
            }
            while (clock.Elapsed.TotalSeconds < seconds / Rounds || n < 2);

            perStep[round] = clock.Elapsed.TotalMilliseconds / n;
            steps += n;
        }

        long allocPerStep = (GC.GetAllocatedBytesForCurrentThread() - allocated) / steps;
        Array.Sort(perStep);
        double ms = perStep[Rounds / 2];
        output.WriteLine(
            $"bench impl=rnnkernels preset={p.Name} T={p.Steps} B={p.Batch} I={p.Input} H={p.Hidden} O={p.Output} threads={threads} " +
            $"ms_per_step={ms:F4} gflops={p.FlopsPerStep / (ms * 1e6):F2} alloc_bytes_per_step={allocPerStep} kernels={KernelPaths.Best}");
    }
}
