using Hbac.Contracts.V1;

namespace HbacAspire.IntegrationTests.Support;

/// <summary>
/// One app shared by the collection's tests (starting one takes most of a test's time): the
/// AppHost's app model with <c>--job none</c>, a synthetic data folder, and a model repository
/// holding <see cref="ModelFolder.FirstVersion"/> and <see cref="ModelFolder.FirstEegVersion"/> (peak-pooled: their answers depend on the window)
/// before the start. Tests that publish versions name them newer than everything before, so they
/// hold in any order. A subclass starts the same app with more AppHost flags (replicas, restart delays).
/// </summary>
public class StackFixture : IAsyncLifetime
{
    private readonly string _homePrefix;
    private readonly string[] _appHostArguments;
    private AspireStack? _stack;

    public StackFixture()
        : this("hbac-it-home-")
    {
    }

    protected StackFixture(string homePrefix, params string[] appHostArguments)
    {
        _homePrefix = homePrefix;
        _appHostArguments = appHostArguments;
    }

    internal AspireStack AppHost => _stack ?? throw new InvalidOperationException("the stack is not started");

    internal SyntheticData Data { get; private set; } = null!;

    public Inference.InferenceClient Inference => new(AppHost.Channel("inference"));

    public Preprocessing.PreprocessingClient Preprocessing => new(AppHost.Channel("preprocessing"));

    public async Task InitializeAsync()
    {
        var home = Directory.CreateTempSubdirectory(_homePrefix).FullName;
        var models = Path.Combine(home, "models");
        Directory.CreateDirectory(models);
        ModelFolder.PublishFirst(models, peakPooled: true);
        Data = SyntheticData.Generate(Path.Combine(home, "kaggle"));
        _stack = await AspireStack.StartAsync(home, Data.Folder, _appHostArguments);
        await AppHost.WaitUntilHealthyAsync();
        await AppHost.WaitForReadyAsync();
    }

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "one shared app";
}
