namespace HbacAspire.ServiceDefaults.Requests;

/// <summary>
/// Bounds what a status detail copies from the request (ids, names, paths). A detail travels in the
/// <c>grpc-message</c> trailer, percent-encoded; a client refuses trailers over its metadata limit
/// (8 KiB by default), so an echoed 10-kB id would turn the real status into ResourceExhausted.
/// </summary>
public static class StatusDetail
{
    /// <summary>Most characters of one echoed value.</summary>
    public const int MaxEchoChars = 200;

    /// <summary>
    /// Most characters of a whole detail; also the safety net for details built from a reader's or
    /// library's message (<see cref="Bound"/>). Percent-encoded, at most 3 x 4 bytes a character: 12 KiB
    /// in the worst case, 1 KiB for ASCII.
    /// </summary>
    public const int MaxDetailChars = 1000;

    /// <summary>
    /// <paramref name="value"/> as given when it is short, else its first <see cref="MaxEchoChars"/>
    /// characters, an ellipsis and the original length: "abc... (10240 chars)".
    /// </summary>
    public static string Echo(string? value) => Truncate(value ?? "", MaxEchoChars);

    /// <summary>A whole detail cut to <see cref="MaxDetailChars"/> the same way.</summary>
    public static string Bound(string? detail) => Truncate(detail ?? "", MaxDetailChars);

    private static string Truncate(string value, int max)
    {
        if (value.Length <= max)
        {
            return value;
        }
        var cut = max;
        // Never split a surrogate pair: half a character would not encode.
        if (char.IsHighSurrogate(value[cut - 1]))
        {
            cut--;
        }
        return $"{value[..cut]}... ({value.Length} chars)";
    }
}
