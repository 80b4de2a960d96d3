namespace Hbac.Learning.Models;

/// <summary>
/// How <see cref="ChannelsLastCheck.Choose"/> settled a channels-last model: <see cref="Verdict"/> on the whole model;
/// where it disagreed, <see cref="Mended"/> with <see cref="NchwConvolutions"/> run NCHW, or, when that did not mend it
/// (null), every convolution NCHW.
/// </summary>
public sealed record ChannelsLastChoice(ChannelsLastVerdict Verdict, ChannelsLastVerdict? Mended, IReadOnlyList<string>? NchwConvolutions = null)
{
    /// <summary>The model still runs channels-last, wholly or with the wrong convolutions NCHW.</summary>
    public bool ChannelsLast => Verdict.Agrees || Mended is not null;

    /// <summary>What a run says about its layout: null where channels-last agreed.</summary>
    public string? Describe() => Verdict.Agrees ? null
        : Mended is { } mended ? Verdict.DescribeMixed(NchwConvolutions!.Count, mended)
        : Verdict.Describe();
}
