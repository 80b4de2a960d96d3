using Grpc.Core;
using HbacAspire.ServiceDefaults.Requests;

namespace HbacAspire.ServiceDefaults.Tests.Requests;

/// <summary>The data-root confinement every service applies to request paths (preprocessing's <c>path</c>, training's <c>data_folder</c>).</summary>
public sealed class DataRootTests : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    private static Rejection Refusal(Action resolve) => Assert.Throws<RequestRejectedException>(resolve).Kind;

    private string Write(string relative)
    {
        var path = _data.File(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "x");
        return path;
    }

    [Fact]
    public void AnAbsolutePathInsideTheRootIsAcceptedAndMadeRelativeForMessages()
    {
        var file = Write("train_spectrograms/1.parquet");
        var root = new DataRoot(_data.Path);

        var full = root.ResolveFile(file, "path");

        Assert.Equal(file, full);
        Assert.Equal("train_spectrograms/1.parquet", root.Relative(full));
        Assert.Equal(_data.Path, root.ResolveDirectory(".", "folder"));
        Assert.Equal(".", root.Relative(root.ResolveDirectory(".", "folder")));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("sub/../../x")]
    [InlineData("/etc")]
    public void PathsOutsideTheRootAreInvalidNamingTheField(string path)
    {
        Directory.CreateDirectory(_data.File("sub"));
        var error = Assert.Throws<RequestRejectedException>(() => new DataRoot(_data.File("sub")).ResolveDirectory(path, "data_folder"));

        Assert.Equal(Rejection.InvalidArgument, error.Kind);
        Assert.StartsWith("data_folder: ", error.Message);
    }

    [Fact]
    public void MissingAndEmptyPathsAreRefused()
    {
        var root = new DataRoot(_data.Path);

        Assert.Equal(Rejection.NotFound, Refusal(() => root.ResolveDirectory("nope", "folder")));
        Assert.Equal(Rejection.NotFound, Refusal(() => root.ResolveFile("nope.parquet", "path")));
        Assert.Equal(Rejection.InvalidArgument, Refusal(() => root.ResolveFile(" ", "path")));
    }

    [Fact]
    public void AFolderLinkedFromOutsideIsRefusedOneLinkedFromInsideIsFollowed()
    {
        using var outside = new TempFolder();
        Directory.CreateDirectory(_data.File("inside"));
        Directory.CreateSymbolicLink(_data.File("out"), outside.Path);
        Directory.CreateSymbolicLink(_data.File("in"), _data.File("inside"));
        var root = new DataRoot(_data.Path);

        Assert.Equal(Rejection.InvalidArgument, Refusal(() => root.ResolveDirectory("out", "data_folder")));
        Assert.Equal(_data.File("in"), root.ResolveDirectory("in", "data_folder"));
    }

    [Fact]
    public void ARootReachedThroughASymlinkStillConfinesItsPaths()
    {
        using var other = new TempFolder();
        Write("train_spectrograms/1.parquet");
        File.WriteAllText(other.File("secret.parquet"), "x");
        var link = other.File("data-link");
        Directory.CreateSymbolicLink(link, _data.Path);
        var root = new DataRoot(link);

        Assert.EndsWith("1.parquet", root.ResolveFile("train_spectrograms/1.parquet", "path"));
        Assert.Equal(Rejection.InvalidArgument, Refusal(() => root.ResolveFile("../secret.parquet", "path")));
    }

    [Fact]
    public void ASymlinkLoopIsRefusedNotFollowedForever()
    {
        File.CreateSymbolicLink(_data.File("a"), _data.File("b"));
        File.CreateSymbolicLink(_data.File("b"), _data.File("a"));
        var root = new DataRoot(_data.Path);

        var error = Assert.Throws<RequestRejectedException>(() => root.ResolveFile("a", "path"));

        Assert.Equal("path: too many levels of symbolic links", error.Message);
    }

    [Fact]
    public void ANulCharacterIsRefused()
    {
        Assert.Equal(Rejection.InvalidArgument, Refusal(() => new DataRoot(_data.Path).ResolveFile("a\0b", "path")));
    }

    [Theory]
    [InlineData(Rejection.InvalidArgument, StatusCode.InvalidArgument)]
    [InlineData(Rejection.NotFound, StatusCode.NotFound)]
    [InlineData(Rejection.LimitExceeded, StatusCode.ResourceExhausted)]
    [InlineData(Rejection.FailedPrecondition, StatusCode.FailedPrecondition)]
    public void EachRejectionMapsToOneStatusCodeKeepingTheMessage(Rejection kind, StatusCode code)
    {
        var rpc = new RequestRejectedException(kind, "field: problem").ToRpcException();

        Assert.Equal(code, rpc.StatusCode);
        Assert.Equal("field: problem", rpc.Status.Detail);
    }
}
