namespace RnnKernels;

/// <summary>Which entries of a ragged batch run at each step, as the layer passes need it.</summary>
internal static class StepActivity
{
    /// <summary>
    /// For each step t of <paramref name="lengths"/>.Length entries: rows [0, activeRows[t]) hold every entry still
    /// running at t (the step product's M; finished entries past the last running one are not multiplied), and
    /// allActive[t] says that no entry has finished (no carried rows to patch).
    /// </summary>
    public static void Compute(ReadOnlySpan<int> lengths, int steps, Span<int> activeRows, Span<bool> allActive)
    {
        for (int t = 0; t < steps; t++)
        {
            int active = 0;
            bool all = true;
            for (int b = 0; b < lengths.Length; b++)
            {
                if (t < lengths[b])
                {
                    active = b + 1;
                }
                else
                {
                    all = false;
                }
            }

            activeRows[t] = active;
            allActive[t] = all;
        }
    }

    /// <summary>
    /// Sets to zero, in <paramref name="values"/> [T, B, width], the rows of the steps at or past each entry's length
    /// (PyTorch's padding of packed outputs, and the gradients no output there passes on).
    /// </summary>
    public static void ClearPadding(ReadOnlySpan<int> lengths, ReadOnlySpan<bool> allActive, int steps, Span<float> values, int width)
    {
        int batch = lengths.Length;
        for (int t = 0; t < steps; t++)
        {
            if (allActive[t])
            {
                continue;
            }

            for (int b = 0; b < batch; b++)
            {
                if (t >= lengths[b])
                {
                    values.Slice(((t * batch) + b) * width, width).Clear();
                }
            }
        }
    }
}
