using HbacAspire.ServiceDefaults.Requests;

namespace HbacAspire.ServiceDefaults.Tests.Requests;

/// <summary>The temporary copy of an uploaded recording (preprocessing's ConvertRecording, inference's ScoreRecording).</summary>
public sealed class UploadedFileTests
{
    [Fact]
    public async Task HoldsTheBytesUnderTheirNameAndDeletesItsFolderWhenDisposed()
    {
        string folder;
        using (var file = await UploadedFile.WriteAsync("night.edf", new byte[] { 1, 2, 3 }, CancellationToken.None))
        {
            Assert.Equal("night.edf", Path.GetFileName(file.Path));
            Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(file.Path));
            folder = Path.GetDirectoryName(file.Path)!;
        }

        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task AClientPathIsCutToItsFileNameSoNothingIsWrittenOutsideItsFolder()
    {
        using var file = await UploadedFile.WriteAsync("../../etc/x.parquet", new byte[] { 7 }, CancellationToken.None);

        Assert.Equal("x.parquet", Path.GetFileName(file.Path));
        Assert.StartsWith(Path.GetTempPath(), file.Path);
        Assert.StartsWith("hbac-upload-", Path.GetFileName(Path.GetDirectoryName(file.Path)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("folder/")]
    public async Task ANameWithoutAFileIsRefused(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => UploadedFile.WriteAsync(name, new byte[] { 1 }, CancellationToken.None));
    }
}
