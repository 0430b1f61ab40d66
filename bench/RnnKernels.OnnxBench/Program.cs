// StreamingRnn.Run (and Step) against ONNX Runtime on the same model: an nn.LSTM/GRU/RNN + nn.Linear exported by
// torch.onnx.export and saved beside it as an RnnKernels model file (bench/onnx/export_peer_models.py). ONNX Runtime
// runs with the given intra-op threads, inputs and outputs bound to preallocated buffers (IoBinding); both sides start
// every sequence from a zero state and alternate, and the median of the rounds is kept.
// usage: RnnKernels.OnnxBench MODEL_DIR [threads] [seconds]
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using RnnKernels;
using RnnKernels.IO;
using RnnKernels.Kernels;

string dir = args.Length > 0 ? args[0] : throw new ArgumentException("usage: RnnKernels.OnnxBench MODEL_DIR [threads] [seconds]");
int threads = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
double seconds = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1.0;
(string Model, int Steps, int Batch)[] cases =
[
    ("lstm-i65-h100", 1, 1), ("lstm-i65-h100", 25, 1), ("lstm-i128-h256", 64, 1), ("lstm-i128-h256", 64, 16),
    ("gru-i128-h256", 64, 16), ("lstm-i512-h512", 64, 64), ("lstm-i128-h256", 512, 8), ("rnn-i128-h256", 64, 16),
];
Console.WriteLine($"# ONNX Runtime {OrtEnv.Instance().GetVersionString()} vs RnnKernels ({KernelTiers.Best}), {threads} thread(s), " +
    $"{Environment.GetEnvironmentVariable("RNNK_CPU") ?? "CPU not named (set RNNK_CPU)"}");
using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
foreach ((string name, int steps, int batch) in cases)
{
    (RnnModel model, _) = ModelFile.Load(Path.Combine(dir, name + ".safetensors"));
    RnnShape shape = model.Shape;
    using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
    options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
    using var session = new InferenceSession(Path.Combine(dir, name + ".onnx"), options);
    int state = batch * shape.HiddenSize;
    var random = new Random(1);
    float[] x = [.. Enumerable.Range(0, steps * batch * shape.InputSize).Select(_ => (float)((random.NextDouble() * 2) - 1))];
    float[] zeros = new float[state], theirs = new float[steps * batch * shape.OutputSize], ours = new float[theirs.Length];
    float[] hn = new float[state], cn = new float[state];
    using var binding = session.CreateIoBinding();
    using var runOptions = new RunOptions();
    var held = new List<OrtValue>
    {
        OrtValue.CreateTensorValueFromMemory(x, [steps, batch, shape.InputSize]),
        OrtValue.CreateTensorValueFromMemory(zeros, [1, batch, shape.HiddenSize]),
        OrtValue.CreateTensorValueFromMemory(theirs, [steps, batch, shape.OutputSize]),
        OrtValue.CreateTensorValueFromMemory(hn, [1, batch, shape.HiddenSize]),
    };
    binding.BindInput("x", held[0]);
    binding.BindInput("h0", held[1]);
    binding.BindOutput("y", held[2]);
    binding.BindOutput("h_n", held[3]);
    if (shape.HasCellState)
    {
        held.Add(OrtValue.CreateTensorValueFromMemory(new float[state], [1, batch, shape.HiddenSize]));
        held.Add(OrtValue.CreateTensorValueFromMemory(cn, [1, batch, shape.HiddenSize]));
        binding.BindInput("c0", held[4]);
        binding.BindOutput("c_n", held[5]);
    }

    var stream = new StreamingRnn(model, batch, pool);
    Action ort = () => session.RunWithBinding(runOptions, binding);
    Action run = steps == 1
        ? () => stream.Step(x, ours)
        : () =>
        {
            stream.Reset();
            stream.Run(x, steps, ours);
        };
    ort();
    stream.Reset();
    run();
    double difference = theirs.Zip(ours, (a, b) => Math.Abs(a - b)).Max() / Math.Max(1e-6, theirs.Max(Math.Abs));
    var ortTimes = new List<double>();
    var ourTimes = new List<double>();
    for (int round = 0; round < 7; round++)
    {
        ortTimes.Add(Time(ort, seconds / 7));
        ourTimes.Add(Time(run, seconds / 7));
    }

    double ortMs = Median(ortTimes), ourMs = Median(ourTimes);
    long before = GC.GetAllocatedBytesForCurrentThread();
    run();
    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
    string what = steps == 1 ? "Step" : "Run";
    Console.WriteLine(
        $"onnx model={name} T={steps} B={batch} threads={threads} ort_ms={ortMs:F4} rnnkernels_{what}_ms={ourMs:F4} speedup={ortMs / ourMs:F2} " +
        $"max_rel_diff={difference:E1} alloc_bytes={allocated}");
    held.ForEach(v => v.Dispose());
}

static double Time(Action call, double seconds)
{
    call();
    var clock = Stopwatch.StartNew();
    int n = 0;
    while (n < 3 || clock.Elapsed.TotalSeconds < seconds)
    {
        call();
        n++;
    }

    return clock.Elapsed.TotalMilliseconds / n;
}

static double Median(List<double> values)
{
    values.Sort();
    return values[values.Count / 2];
}
