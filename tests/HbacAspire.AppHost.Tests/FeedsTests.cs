using Grpc.Core;
using Hbac.Contracts.V1;
using HbacAspire.AppHost.Dashboard;
using HbacAspire.AppHost.Feeds;
using HbacAspire.AppHost.Health;
using HbacAspire.AppHost.Readiness;
using HbacAspire.AppHost.Supervision;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using static HbacAspire.AppHost.Tests.TestSupport;

namespace HbacAspire.AppHost.Tests;

/// <summary>Readiness and dashboard feeds against in-test gRPC services (real Kestrel, h2c) speaking the hbac.v1 contracts.</summary>
public sealed class FeedsTests : IAsyncLifetime
{
    private readonly FakeInference _inference = new();
    private readonly HttpClient _http = new();
    private readonly GrpcChannels _channels = new();
    private FakeServiceHost _host = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _host = await FakeServiceHost.StartAsync(
            services => services.AddSingleton(_inference),
            app =>
            {
                app.MapGrpcService<FakeInference>();
                app.MapGrpcService<FakeTraining>();
            });
        _port = _host.Port;
    }

    public async Task DisposeAsync()
    {
        _channels.Dispose();
        await _host.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task ReadyOnlyOnceInferenceServesAModel()
    {
        var check = new InferenceServesAModel("inference", _channels);
        var healthy = Snapshot("inference", HealthState.Healthy, $"http://127.0.0.1:{_port}");
        var context = new ReadinessContext([Snapshot("redis", HealthState.Healthy, null), healthy], _http);

        Assert.False(await check.IsReadyAsync(context, CancellationToken.None));
        _inference.Active = "v3";
        Assert.True(await check.IsReadyAsync(context, CancellationToken.None));

        var degradedRedis = new ReadinessContext([Snapshot("redis", HealthState.Unhealthy, null), healthy], _http);
        Assert.False(await check.IsReadyAsync(degradedRedis, CancellationToken.None));
        var withoutInference = new ReadinessContext([Snapshot("redis", HealthState.Healthy, null)], _http);
        Assert.True(await check.IsReadyAsync(withoutInference, CancellationToken.None));
    }

    [Fact]
    public async Task FeedsFillTheModelsAndTrainingBoards()
    {
        _inference.Active = "v3";
        await using var supervisor = new Supervisor([_host.StandIn("inference"), _host.StandIn("training")],
            new SupervisorOptions { HealthInterval = TimeSpan.FromMilliseconds(100) });
        supervisor.Start();
        await Eventually(() => supervisor["inference"].IsHealthy && supervisor["training"].IsHealthy, "stand-ins healthy");
        var context = new AppHostJobContext(new AppHostOptions { Home = TempDirectory() }, supervisor, new TrainingRunsBoard(), new ModelsBoard(), _ => { });
        using var stop = new CancellationTokenSource();

        var models = DashboardFeeds.FeedModelsAsync(context, "inference", _channels, stop.Token);
        var training = DashboardFeeds.FeedTrainingAsync(context, "training", _channels, stop.Token);
        await Eventually(() => context.Models.Snapshot().ActiveVersion == "v3", "the model list");
        await Eventually(() => context.Training.Snapshot() is [{ State: "succeeded" }], "the watched run to finish");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => models);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => training);

        var run = context.Training.Snapshot()[0];
        Assert.Equal(6, run.Steps.Count);
        Assert.Equal(2, run.EpochResults.Count);
        Assert.Equal("v2", run.ModelVersion);
    }

    private static ResourceSnapshot Snapshot(string name, HealthState health, string? url) => new(
        name, "project", ResourceState.Running, health, null, 1, url is null ? [] : [new EndpointSnapshot("grpc", url)],
        0, DateTimeOffset.UtcNow, null, null, [], null);

    private sealed class FakeInference : Inference.InferenceBase
    {
        public volatile string Active = "";

        public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
        {
            var response = new ListModelsResponse { ActiveVersion = Active };
            if (Active.Length > 0)
            {
                response.Models.Add(new ModelInfo { Version = Active, Active = true, ValidationLoss = 0.6 });
            }
            return Task.FromResult(response);
        }
    }

    /// <summary>One run that is running when listed; watching it replays a whole short run.</summary>
    private sealed class FakeTraining : Training.TrainingBase
    {
        public override Task<ListRunsResponse> ListRuns(ListRunsRequest request, ServerCallContext context) =>
            Task.FromResult(new ListRunsResponse
            {
                Runs = { new RunInfo { RunId = "run-1", State = RunState.Running, Model = ModelArchitecture.MobilenetV3Large, Profile = "quick", Epochs = 2 } },
            });

        public override async Task WatchRun(WatchRunRequest request, IServerStreamWriter<RunEvent> responseStream, ServerCallContext context)
        {
            if (request.RunId != "run-1" || !request.Replay)
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"run_id: no run '{request.RunId}'"));
            }
            foreach (var runEvent in TrainingRunsBoardTests.QuickRun("run-1", epochs: 2, stepsPerEpoch: 3))
            {
                await responseStream.WriteAsync(runEvent, context.CancellationToken);
            }
        }
    }
}
