using Google.Protobuf;
using RnnKernels.IO;

namespace RnnKernels.Cli.Tests;

public sealed class ExportCommandTests
{
    [Fact]
    public void ExportsAModelOrTheModelInACheckpointAndRefusesBadInput()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("ck.safetensors");
        Assert.Equal(0, Rnnk.Run("train", "--cell", "lstm", "--hidden", "16", "--seq", "8", "--batch", "2", "--steps", "2", "--sample-every", "0",
            "--checkpoint", checkpoint).Code);
        var export = Rnnk.Run("export", "--model", checkpoint, "--out", dir.File("m.onnx"));
        Assert.True(export.Code == 0, export.Err);
        Assert.Contains("exported cell=lstm layers=1 directions=1 opset=14", export.Out, StringComparison.Ordinal);
        byte[] written = File.ReadAllBytes(dir.File("m.onnx"));
        Assert.Equal(OnnxExport.Build(ModelFile.Load(checkpoint).Model).ToByteArray(), written);

        Assert.Equal(2, Rnnk.Run("export", "--model", dir.File("missing.safetensors"), "--out", dir.File("x.onnx")).Code);
        Assert.Equal(2, Rnnk.Run("export", "--model", checkpoint).Code);
        Assert.False(File.Exists(dir.File("x.onnx")));
    }
}
