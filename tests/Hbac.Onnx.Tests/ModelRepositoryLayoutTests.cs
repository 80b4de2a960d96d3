namespace Hbac.Onnx.Tests;

public class ModelRepositoryLayoutTests
{
    [Theory]
    [InlineData("20261124-013601-mobilenetv3", true)]
    [InlineData("v1", true)]
    [InlineData(".run-20261124-013214-525c4e.tmp", false)] // the trainer's work folder
    [InlineData("staging.TMP", false)]
    [InlineData("_incoming", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("a\\b", false)]
    public void OnlyCompletedVersionFoldersAreVersions(string name, bool isVersion) =>
        Assert.Equal(isVersion, ModelRepositoryLayout.IsVersionName(name));
}
