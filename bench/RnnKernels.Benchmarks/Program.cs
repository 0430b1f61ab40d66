using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/RnnKernels.Benchmarks -- --filter '*Gemm*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
