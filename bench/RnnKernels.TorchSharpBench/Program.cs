// The libtorch 2.10 peer (the official PyTorch build, MKL + oneDNN, through TorchSharp-cpu): the training step of
// `rnnk bench` (nn.RNN/LSTM/GRU + nn.Linear, cross-entropy summed over steps and batch, backward, SGD update) at the
// same presets, printing lines in `rnnk bench`'s format; and `gemm M N K` for torch.mm (MKL) in GFLOP/s.
// usage: RnnKernels.TorchSharpBench train PRESET CELL THREADS SECONDS | gemm M N K THREADS SECONDS
using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

CultureInfo c = CultureInfo.InvariantCulture;
var presets = new Dictionary<string, (int T, int B, int I, int H, int O)>
{
    ["charrnn"] = (25, 1, 65, 100, 65),
    ["small-b1"] = (32, 1, 64, 128, 64),
    ["mid-b16"] = (64, 16, 128, 256, 128),
    ["large-b64"] = (64, 64, 512, 512, 512),
    ["long-b8"] = (512, 8, 64, 256, 64),
};
if (args.Length < 5)
{
    Console.Error.WriteLine("usage: RnnKernels.TorchSharpBench train PRESET CELL THREADS SECONDS | gemm M N K THREADS SECONDS");
    return 2;
}

if (args[0] == "gemm")
{
    int m = int.Parse(args[1], c), n = int.Parse(args[2], c), k = int.Parse(args[3], c);
    torch.set_num_threads(int.Parse(args[4], c));
    manual_seed(1);
    Tensor a = rand(m, k), b = rand(k, n);
    double ms = Median(
        () =>
        {
            using Tensor product = mm(a, b);
        },
        double.Parse(args[5], c));
    Console.WriteLine(string.Create(c, $"gemm impl=libtorch M={m} N={n} K={k} ms={ms:F4} gflops={2.0 * m * n * k / (ms * 1e6):F2} torch={__version__}"));
    return 0;
}

string preset = args[1], cell = args[2];
int threads = int.Parse(args[3], c);
double seconds = double.Parse(args[4], c);
torch.set_num_threads(threads);
(int T, int B, int I, int H, int O) = presets[preset];
manual_seed(1);
TorchSharp.Modules.Linear output = nn.Linear(H, O);
Func<Tensor, Tensor> rnn;
IEnumerable<TorchSharp.Modules.Parameter> rnnParameters;
switch (cell)
{
    case "lstm":
        TorchSharp.Modules.LSTM lstm = nn.LSTM(I, H);
        (rnn, rnnParameters) = (input => lstm.forward(input).Item1, lstm.parameters());
        break;
    case "gru":
        TorchSharp.Modules.GRU gru = nn.GRU(I, H);
        (rnn, rnnParameters) = (input => gru.forward(input).Item1, gru.parameters());
        break;
    default:
        TorchSharp.Modules.RNN elman = nn.RNN(I, H);
        (rnn, rnnParameters) = (input => elman.forward(input, null).Item1, elman.parameters());
        break;
}

var parameters = rnnParameters.Concat(output.parameters()).ToList();
var optimizer = optim.SGD(parameters, 1e-3);
Tensor x = (rand(T, B, I) * 2) - 1;
Tensor targets = randint(0, O, [T * B], dtype: ScalarType.Int64);
void Step()
{
    using var scope = NewDisposeScope();
    optimizer.zero_grad();
    Tensor logits = output.forward(rnn(x)).view(-1, O);
    Tensor loss = nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.Sum);
    loss.backward();
    optimizer.step();
}

double step = Median(Step, seconds);
int g = cell == "lstm" ? 4 : cell == "gru" ? 3 : 1;
double flops = 6.0 * T * B * ((g * I * H) + (g * H * H) + (H * O));
Console.WriteLine(string.Create(c,
    $"bench impl=libtorch preset={preset} cell={cell} T={T} B={B} I={I} H={H} O={O} threads={threads} ms_per_step={step:F4} gflops={flops / (step * 1e6):F2} torch={__version__}"));
return 0;

// As rnnk bench: warm up, then the median of five rounds of seconds/5 each.
static double Median(Action call, double seconds)
{
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < 3 || clock.Elapsed.TotalSeconds < Math.Min(0.5, seconds / 4); i++)
    {
        call();
    }

    var rounds = new List<double>();
    for (int round = 0; round < 5; round++)
    {
        clock.Restart();
        int n = 0;
        do
        {
            call();
            n++;
        }
        while (n < 2 || clock.Elapsed.TotalSeconds < seconds / 5);
        rounds.Add(clock.Elapsed.TotalMilliseconds / n);
    }

    rounds.Sort();
    return rounds[2];
}
