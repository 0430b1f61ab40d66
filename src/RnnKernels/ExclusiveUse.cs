namespace RnnKernels;

/// <summary>
/// Detects two calls overlapping on one single-threaded object: entering takes the object's flag with one atomic
/// exchange (no allocation, a few nanoseconds), and a second thread arriving while it is taken gets an
/// <see cref="InvalidOperationException"/> naming the type, instead of both silently corrupting its buffers.
/// </summary>
/// <remarks>Use: <c>using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);</c> at the top of each mutating call.</remarks>
internal readonly ref struct ExclusiveUse
{
    private readonly ref int _flag;

    private ExclusiveUse(ref int flag) => _flag = ref flag;

    /// <summary>Takes <paramref name="flag"/> for the calling thread, or throws when another call holds it.</summary>
    /// <param name="flag">The object's in-use flag (0 = free).</param>
    /// <param name="owner">The object, named in the error.</param>
    /// <returns>A scope that frees the flag when disposed.</returns>
    public static ExclusiveUse Enter(ref int flag, object owner)
    {
        if (Interlocked.Exchange(ref flag, 1) != 0)
        {
            throw Overlap(owner);
        }

        return new ExclusiveUse(ref flag);
    }

    /// <summary>Frees the flag.</summary>
    public void Dispose() => Volatile.Write(ref _flag, 0);

    /// <summary>The error for a call that overlaps another on <paramref name="owner"/>.</summary>
    /// <param name="owner">The object.</param>
    /// <returns>The exception to throw.</returns>
    public static InvalidOperationException Overlap(object owner) =>
        new($"{owner.GetType().Name} is single-threaded: a call overlapped another call on the same instance from another thread. " +
            "Give each thread its own instance, or serialise the calls.");
}
