// Trains a tiny LSTM through the RnnKernels package and exits 0 only if the loss falls: the packages restore, load
// and run in a host's default configuration.
using RnnKernels;
using RnnKernels.Kernels;
using RnnKernels.Optimizers;

const int T = 12, B = 4, V = 6;
var shape = new RnnShape(V, 16, V, cell: CellKind.Lstm);
var model = new RnnModel(shape, seed: 1);
using var engine = new RnnEngine(model, T, B);
var trainer = new Trainer(engine, new Adam(model.Parameters.Length, 0.01f), clipNorm: 5f);
var random = new Random(3);
float[] x = new float[T * B * V];
int[] targets = new int[T * B];
double first = 0, last = 0;
for (int step = 0; step < 200; step++)
{
    Array.Clear(x);
    for (int b = 0; b < B; b++)
    {
        int previous = 0;
        for (int t = 0; t < T; t++)
        {
            int c = random.Next(V);
            x[(((t * B) + b) * V) + c] = 1f;
            targets[(t * B) + b] = previous; // The previous step's input class.
            previous = c;
        }
    }

    double loss = trainer.Step(x, T, B, targets).Loss;
    first = step == 0 ? loss : first;
    last = loss;
}

Console.WriteLine($"package consumer: kernels={KernelTiers.Best} loss_first={first:F3} loss_last={last:F3}");
if (!(last < 0.5 * first))
{
    Console.Error.WriteLine("package consumer: the loss did not fall by half");
    return 1;
}

Console.WriteLine("1 passed, 0 failed");
return 0;
