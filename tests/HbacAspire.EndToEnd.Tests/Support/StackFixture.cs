using Hbac.Contracts.V1;

namespace HbacAspire.EndToEnd.Tests.Support;

/// <summary>
/// One real stack shared by the collection's tests (starting one takes most of a test's time): the
/// built AppHost with <c>--job none</c>, a synthetic data folder, and a model repository holding
/// <see cref="ModelFolder.FirstVersion"/> (peak-pooled: its answers depend on the window) before the start. Tests that publish versions name them
/// newer than everything before, so they hold in any order.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    private AppHostProcess? _apphost;

    internal AppHostProcess AppHost => _apphost ?? throw new InvalidOperationException("the stack is not started");

    internal SyntheticData Data { get; private set; } = null!;

    public Inference.InferenceClient Inference => new(AppHost.Channel("inference"));

    public Preprocessing.PreprocessingClient Preprocessing => new(AppHost.Channel("preprocessing"));

    public async Task InitializeAsync()
    {
        if (RedisTestServer.Executable is null)
        {
            return; // every test of the collection is a [RedisFact] and skips
        }
        var home = Directory.CreateTempSubdirectory("hbac-e2e-home-").FullName;
        var models = Path.Combine(home, "models");
        Directory.CreateDirectory(models);
        ModelFolder.PublishValid(models, ModelFolder.FirstVersion, peakPooled: true);
        Data = SyntheticData.Generate(Path.Combine(home, "kaggle"));
        _apphost = AppHostProcess.Start(home, Data.Folder);
        await AppHost.WaitForReadyAsync();
    }

    public async Task DisposeAsync()
    {
        if (_apphost is not null)
        {
            _apphost.Terminate(TimeSpan.FromSeconds(30));
            await _apphost.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "one shared stack";
}
