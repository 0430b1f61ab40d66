using RnnKernels.Kernels;

namespace RnnKernels.Cli;

/// <summary>
/// <c>rnnk gradcheck</c>: on a small random model, (1) the float64 reference's analytic gradients against central
/// finite differences in float64, held to 1e-6; (2) the float32 engine against the float64 reference, held to an
/// honest float32 bound of 1e-4 normwise per tensor.
/// </summary>
internal static class GradCheckCommand
{
    private const double Float64Limit = 1e-6;
    private const double Float32Limit = 1e-4;

    private const string Help = """
        rnnk gradcheck [--cell rnn|lstm|gru] [--layers 2] [--bidirectional] [--nonlinearity tanh|relu] [--loss cross-entropy|mse]
                       [--input 3] [--hidden 5] [--output 4] [--seq 6] [--batch 3] [--seed 1]

        Checks gradients of every parameter and of h0 (and c0 for lstm) on a small random model with ragged lengths.
        Exits 1 when the float64 check exceeds 1e-6 or the float32 engine strays from float64 by more than 1e-4.
        """;

    public static int Run(string[] args, TextWriter output)
    {
        if (HelpText.Requested(args, output, Help))
        {
            return CliApp.Ok;
        }

        var options = new CliArguments(args, new HashSet<string> { "bidirectional" });
        CellKind cell = options.Choice("cell", CellKind.Rnn, CellNames.All);
        int layers = options.Int("layers", 2, 1, 4);
        bool bidirectional = options.Flag("bidirectional");
        Nonlinearity nonlinearity = options.Choice("nonlinearity", Nonlinearity.Tanh, NonlinearityNames.All);
        LossKind loss = options.Choice("loss", LossKind.CrossEntropy, LossNames.All);
        int input = options.Int("input", 3, 1, 64);
        int hidden = options.Int("hidden", 5, 1, 64);
        int outputs = options.Int("output", 4, 1, 64);
        int steps = options.Int("seq", 6, 1, 64);
        int batch = options.Int("batch", 3, 1, 16);
        int seed = options.Int("seed", 1, 0, int.MaxValue);
        options.EnsureAllUsed("gradcheck");
        if (cell != CellKind.Rnn && nonlinearity != Nonlinearity.Tanh)
        {
            throw new UsageException($"--nonlinearity applies to --cell rnn only; {CellNames.All.First(c => c.Value == cell).Key} has fixed activations");
        }

        var shape = new RnnShape(input, hidden, outputs, layers, bidirectional, nonlinearity, cell);
        var model = new RnnModel(shape, seed);
        SequenceData data = SequenceData.CreateRandom(shape, steps, batch, loss, seed + 1, raggedLengths: batch > 1, initialState: true);

        double worst64 = GradientCheck.ReferenceAgainstFiniteDifferences(shape, Array.ConvertAll(model.Parameters, v => (double)v), data, loss);
        double worst32 = GradientCheck.EngineAgainstReference(model, data, loss);
        bool pass64 = worst64 <= Float64Limit, pass32 = worst32 <= Float32Limit;
        string kind = cell == CellKind.Rnn ? nonlinearity.ToString() : CellNames.All.First(c => c.Value == cell).Key;
        output.WriteLine($"model L={layers} D={shape.Directions} I={input} H={hidden} O={outputs} {kind} T={steps} B={batch} loss={LossNames.All.First(p => p.Value == loss).Key} kernels={KernelTiers.Best}");
        output.WriteLine($"float64 reference vs finite differences: worst_rel_error={worst64:E2} limit={Float64Limit:E0} {(pass64 ? "PASS" : "FAIL")}");
        output.WriteLine($"float32 engine vs float64 reference: worst_rel_error={worst32:E2} limit={Float32Limit:E0} {(pass32 ? "PASS" : "FAIL")}");
        return pass64 && pass32 ? CliApp.Ok : CliApp.Failure;
    }
}
