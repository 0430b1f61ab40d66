using RnnKernels.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C asks the running command to stop cleanly (train saves its last good state); a second one kills.
    if (!cancel.IsCancellationRequested)
    {
        e.Cancel = true;
        cancel.Cancel();
    }
};

return CliApp.Run(args, Console.Out, Console.Error, cancel.Token);
