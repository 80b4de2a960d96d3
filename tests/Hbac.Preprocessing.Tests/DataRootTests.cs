using HbacAspire.ServiceDefaults.Requests;

namespace Hbac.Preprocessing.Tests;

public sealed class DataRootTests : IDisposable
{
    private readonly TestData _data = new();

    public void Dispose() => _data.Dispose();

    private static DataRoot For(string root) => new(root);

    private static Rejection Refusal(Action resolve) => Assert.Throws<RequestRejectedException>(resolve).Kind;

    [Fact]
    public void AnAbsolutePathInsideTheRootIsAcceptedAndMadeRelativeForMessages()
    {
        _data.WriteSpectrogram("train_spectrograms/1.parquet", TestData.MakeSpectrogram(1));
        var root = For(_data.Root);

        var full = root.ResolveFile(_data.FullPath("train_spectrograms/1.parquet"), "path");

        Assert.Equal(_data.FullPath("train_spectrograms/1.parquet"), full);
        Assert.Equal("train_spectrograms/1.parquet", root.Relative(full));
        Assert.Equal(_data.Root, root.ResolveDirectory(".", "folder"));
    }

    [Fact]
    public void ARootReachedThroughASymlinkStillConfinesItsPaths()
    {
        using var other = new TestData();
        _data.WriteSpectrogram("train_spectrograms/1.parquet", TestData.MakeSpectrogram(1));
        other.WriteSpectrogram("secret.parquet", TestData.MakeSpectrogram(1));
        var link = Path.Combine(other.Root, "data-link");
        Directory.CreateSymbolicLink(link, _data.Root);
        var root = For(link);

        Assert.EndsWith("1.parquet", root.ResolveFile("train_spectrograms/1.parquet", "path"));
        Assert.Equal(Rejection.InvalidArgument, Refusal(() => root.ResolveFile("../secret.parquet", "path")));
    }

    [Fact]
    public void ASymlinkLoopIsRefusedNotFollowedForever()
    {
        File.CreateSymbolicLink(_data.FullPath("a"), _data.FullPath("b"));
        File.CreateSymbolicLink(_data.FullPath("b"), _data.FullPath("a"));
        var root = For(_data.Root);

        var error = Assert.Throws<RequestRejectedException>(() => root.ResolveFile("a", "path"));

        Assert.Equal("path: too many levels of symbolic links", error.Message);
    }

    [Fact]
    public void ANulCharacterIsRefused()
    {
        Assert.Equal(Rejection.InvalidArgument, Refusal(() => For(_data.Root).ResolveFile("a\0b", "path")));
    }
}
