using System.Diagnostics;
using RnnKernels.Kernels;
using RnnKernels.Optimizers;

namespace RnnKernels.Cli;

/// <summary>
/// <c>rnnk bench</c>: times one full training step (forward, summed cross-entropy, BPTT, SGD update) and prints
/// ms_per_step, gflops (6 T B (G I H + G H H + H O) per step, G the cell's gate blocks) and the bytes allocated per
/// step after warm-up.
/// </summary>
internal static class BenchCommand
{
    private const string Help = """
        rnnk bench [--preset charrnn|small-b1|mid-b16|large-b64|long-b8|decay-b8|all] [--cell rnn|lstm|gru] [--threads 1]
                   [--streaming] [--seq T --batch B --input I --hidden H --output O] [--seconds 2] [--seed 1]

        Prints one line per size: ms_per_step (median of 5 rounds), gflops, alloc_bytes_per_step.
        --streaming times StreamingRnn.Step instead (one inference step, batch 1): us_per_step.
        --soak N runs N training steps and prints allocation and memory figures every N/10 steps.
        """;

    public static int Run(string[] args, TextWriter output)
    {
        if (HelpText.Requested(args, output, Help))
        {
            return CliApp.Ok;
        }

        var options = new CliArguments(args, new HashSet<string> { "streaming" });
        string? presetName = options.String("preset");
        int threads = options.Int("threads", 1, 1, 256);
        CellKind cell = options.Choice("cell", CellKind.Rnn, CellNames.All);
        bool streaming = options.Flag("streaming");
        int soak = options.Int("soak", 0, 0, int.MaxValue);
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
                : [BenchPreset.All.Append(BenchPreset.Decay).FirstOrDefault(p => p.Name == presetName)
                    ?? throw new UsageException($"--preset must be one of {string.Join(", ", BenchPreset.All.Append(BenchPreset.Decay).Select(p => p.Name))}, all; got '{presetName}'")];
        }

        options.EnsureAllUsed("bench");
        foreach (BenchPreset preset in presets)
        {
            if (soak > 0)
            {
                Soak(preset, cell, threads, soak, seed, output);
            }
            else if (streaming)
            {
                MeasureStreaming(preset, cell, seconds, seed, output);
            }
            else
            {
                Measure(preset, cell, threads, seconds, seed, output);
            }
        }

        return CliApp.Ok;
    }

    private static void Measure(BenchPreset p, CellKind cell, int threads, double seconds, int seed, TextWriter output)
    {
        (RnnModel model, SequenceData data) = Setup(p, cell, seed);
        using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
        var trainer = new Trainer(new RnnEngine(model, p.Steps, p.Batch, pool), new Sgd(model.Parameters.Length, 1e-3f));
        void Step() => trainer.Step(data.Inputs, p.Steps, p.Batch, data.ClassTargets);

        double ms = MedianMilliseconds(Step, seconds, out long allocPerStep);
        output.WriteLine(
            $"bench impl=rnnkernels preset={p.Name} cell={Name(cell)} T={p.Steps} B={p.Batch} I={p.Input} H={p.Hidden} O={p.Output} threads={threads} " +
            $"ms_per_step={ms:F4} gflops={p.FlopsPerStep(cell) / (ms * 1e6):F2} alloc_bytes_per_step={allocPerStep} kernels={KernelTiers.Best}");
    }

    /// <summary>
    /// Runs many steps and reports, every tenth of the run, the bytes allocated since warm-up, the GC heap, the
    /// working set and the collection counts: all should stay flat.
    /// </summary>
    private static void Soak(BenchPreset p, CellKind cell, int threads, int steps, int seed, TextWriter output)
    {
        (RnnModel model, SequenceData data) = Setup(p, cell, seed);
        using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
        var trainer = new Trainer(new RnnEngine(model, p.Steps, p.Batch, pool), new Sgd(model.Parameters.Length, 1e-4f));
        for (int i = 0; i < 100; i++)
        {
            trainer.Step(data.Inputs, p.Steps, p.Batch, data.ClassTargets);
        }

        GC.Collect();
        int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
        long allocatedInSteps = 0;
        var clock = Stopwatch.StartNew();
        int every = Math.Max(1, steps / 10);
        for (int done = 0; done < steps;)
        {
            // Only the training steps are counted: printing the line below allocates by itself.
            int chunk = Math.Min(every, steps - done);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < chunk; i++)
            {
                trainer.Step(data.Inputs, p.Steps, p.Batch, data.ClassTargets);
            }

            allocatedInSteps += GC.GetAllocatedBytesForCurrentThread() - before;
            done += chunk;
            output.WriteLine(
                $"soak preset={p.Name} cell={Name(cell)} threads={threads} step={done} allocated_bytes_in_steps={allocatedInSteps} " +
                $"gc_heap_bytes={GC.GetTotalMemory(false)} working_set_bytes={Environment.WorkingSet} gen0_collections={GC.CollectionCount(0) - gen0} " +
                $"gen2_collections={GC.CollectionCount(2) - gen2} ms_per_step={clock.Elapsed.TotalMilliseconds / done:F4}");
        }
    }

    /// <summary>A model and a random batch for a preset; a decaying preset shrinks W_R and the inputs.</summary>
    private static (RnnModel Model, SequenceData Data) Setup(BenchPreset p, CellKind cell, int seed)
    {
        var shape = new RnnShape(p.Input, p.Hidden, p.Output, cell: cell);
        var model = new RnnModel(shape, seed);
        SequenceData data = SequenceData.CreateRandom(shape, p.Steps, p.Batch, LossKind.CrossEntropy, seed + 1);
        if (p.RecurrentScale != 1f)
        {
            RecurrentTensors weights = model.Layout.Recurrent(0, 0);
            Elementwise.Scale(model.View(weights.WeightHh), p.RecurrentScale, model.View(weights.WeightHh));
            model.View(weights.BiasIh).Clear();
            model.View(weights.BiasHh).Clear();
            Elementwise.Scale(data.Inputs, 1e-38f, data.Inputs);
        }

        return (model, data);
    }

    /// <summary>Warms up (JIT tiers, scratch buffers), then times 5 rounds and returns the median ms per call.</summary>
    private static double MedianMilliseconds(Action step, double seconds, out long allocPerStep)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 3 || clock.Elapsed.TotalSeconds < Math.Min(0.5, seconds / 4); i++)
        {
            step();
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
                step();
                n++;
            }
            while (clock.Elapsed.TotalSeconds < seconds / Rounds || n < 2);

            perStep[round] = clock.Elapsed.TotalMilliseconds / n;
            steps += n;
        }

        allocPerStep = (GC.GetAllocatedBytesForCurrentThread() - allocated) / steps;
        Array.Sort(perStep);
        return perStep[Rounds / 2];
    }

    private static void MeasureStreaming(BenchPreset p, CellKind cell, double seconds, int seed, TextWriter output)
    {
        var shape = new RnnShape(p.Input, p.Hidden, p.Output, cell: cell);
        var stream = new StreamingRnn(new RnnModel(shape, seed), batch: 1);
        SequenceData data = SequenceData.CreateRandom(shape, 64, 1, LossKind.CrossEntropy, seed + 1);
        float[] logits = new float[p.Output];
        int t = 0;
        void Step()
        {
            stream.Step(data.Inputs.AsSpan(t * p.Input, p.Input), logits);
            t = (t + 1) % 64;
        }

        double us = MedianMilliseconds(Step, seconds, out long allocPerStep) * 1000;
        output.WriteLine(
            $"bench impl=rnnkernels mode=streaming preset={p.Name} cell={Name(cell)} I={p.Input} H={p.Hidden} O={p.Output} B=1 " +
            $"us_per_step={us:F3} alloc_bytes_per_step={allocPerStep} kernels={KernelTiers.Best}");
    }

    private static string Name(CellKind cell) => CellNames.All.First(c => c.Value == cell).Key;
}
