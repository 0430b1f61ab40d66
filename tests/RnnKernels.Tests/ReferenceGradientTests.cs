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
        double worst = GradientCheck.ReferenceAgainstFiniteDifferences(c.Shape, parameters, c.Data, c.Loss);
        Assert.True(worst < 1e-6, $"{name}: worst relative error {worst:E2}");
    }
}
