namespace RnnKernels.Native;

/// <summary>
/// The objects behind the C ABI's opaque handles. A handle is a number this table issued (never an address), so a
/// freed, foreign or corrupted handle is looked up and not found, which is an error code, never a crash. Numbers are
/// never reused, so a stale handle cannot reach a newer object. Look-ups take a lock and allocate nothing.
/// </summary>
internal static class Handles
{
    private static readonly Dictionary<nint, object> Objects = [];
    private static readonly Lock Gate = new();
    private static nint s_next = 0x10000;

    /// <summary>Issues a handle for <paramref name="value"/>.</summary>
    public static nint Add(object value)
    {
        lock (Gate)
        {
            s_next += 16;
            Objects.Add(s_next, value);
            return s_next;
        }
    }

    /// <summary>The object of kind <typeparamref name="T"/> behind <paramref name="handle"/>.</summary>
    /// <exception cref="InvalidHandleException">The handle is null, freed, unknown, or another kind.</exception>
    public static T Get<T>(nint handle, string what)
        where T : class
    {
        object? value;
        lock (Gate)
        {
            Objects.TryGetValue(handle, out value);
        }

        return value as T ?? throw Invalid(handle, value, what);
    }

    /// <summary>Removes the handle and returns its object, which the caller disposes.</summary>
    /// <exception cref="InvalidHandleException">The handle is null, already freed, unknown, or another kind.</exception>
    public static T Remove<T>(nint handle, string what)
        where T : class
    {
        lock (Gate)
        {
            Objects.TryGetValue(handle, out object? value);
            if (value is not T typed)
            {
                throw Invalid(handle, value, what);
            }

            Objects.Remove(handle);
            return typed;
        }
    }

    private static InvalidHandleException Invalid(nint handle, object? found, string what) => new(
        handle == 0 ? $"{what} handle is NULL."
        : found is null ? $"{what} handle 0x{handle:x} is not a live handle (freed already, or never returned by this library)."
        : $"{what} handle 0x{handle:x} is {Article(Kind(found))} handle, not {Article(what)} handle.");

    private static string Article(string noun) => ("aeiou".Contains(noun[0], StringComparison.Ordinal) ? "an " : "a ") + noun;

    private static string Kind(object value) => value switch
    {
        RnnModel => "model",
        NativeEngine => "engine",
        NativeOptimizer => "optimizer",
        StreamingRnn => "stream",
        _ => value.GetType().Name,
    };
}
