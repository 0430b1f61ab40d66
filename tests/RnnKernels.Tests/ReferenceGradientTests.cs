using RnnKernels;

namespace RnnKernels.Tests;

/// <summary>The float64 reference's gradients against central finite differences of its own loss.</summary>
public sealed class ReferenceGradientTests
{
    [Theory]
    [MemberData(nameof(Case.Names), MemberType = typeof(Case))]
    public void ParameterAndStateGradientsMatchFiniteDifferences(string name)
    {
        Case c = Case.Named(name);
        double[] parameters = Array.ConvertAll(new RnnModel(c.Shape, seed: 42).Parameters, v => (double)v);
        var gradients = new double[parameters.Length];
        var dh0 = new double[c.Shape.StateSize(c.Data.Batch)];
        ReferenceRnn.Run(c.Shape, parameters, c.Data, c.Loss, gradients, dh0);

        double worst = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            double numeric = Central(h =>
            {
                double[] shifted = (double[])parameters.Clone();
                shifted[i] += h;
                return ReferenceRnn.Run(c.Shape, shifted, c.Data, c.Loss);
            });
            worst = Math.Max(worst, RelativeError(gradients[i], numeric));
        }

        if (c.Data.InitialState is not null)
        {
            double[] h0 = Array.ConvertAll(c.Data.InitialState, v => (double)v);
            for (int i = 0; i < dh0.Length; i++)
            {
                double numeric = Central(h =>
                {
                    double[] shifted = (double[])h0.Clone();
                    shifted[i] += h;
                    return ReferenceRnn.RunWithState(c.Shape, parameters, c.Data, c.Loss, shifted);
                });
                worst = Math.Max(worst, RelativeError(dh0[i], numeric));
            }
        }

        Assert.True(worst < 1e-6, $"{name}: worst relative error {worst:E2}");
    }

    private static double Central(Func<double, double> loss, double step = 1e-5) => (loss(step) - loss(-step)) / (2 * step);

    // Relative to the gradient's size, with a floor so that near-zero gradients are compared absolutely.
    private static double RelativeError(double analytic, double numeric, double floor = 1e-2) =>
        Math.Abs(analytic - numeric) / Math.Max(floor, Math.Abs(analytic) + Math.Abs(numeric));
}
