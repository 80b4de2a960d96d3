using System.Net;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Hbac.Contracts;
using Hbac.Contracts.Security;
using Hbac.Contracts.V1;
using HbacAspire.ServiceDefaults.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace HbacAspire.ServiceDefaults.Tests;

/// <summary>A service host built the way the real services will be, in a TestServer.</summary>
[Collection(MeterCountingCollection.Name)]
public sealed class ServiceDefaultsHostTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private GrpcChannel _channel = null!;
    private volatile HealthStatus _cacheStatus = HealthStatus.Healthy;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration[TestApiKey.Setting] = TestApiKey.Value;
        builder.AddServiceDefaults();
        builder.AddGrpcServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck("tensor-cache", () => new HealthCheckResult(_cacheStatus, "cache says " + _cacheStatus));
        _app = builder.Build();
        _app.MapGrpcService<ModelListingInference>();
        _app.MapGrpcDefaultEndpoints();
        _app.MapDefaultEndpoints();
        await _app.StartAsync();
        _http = _app.GetTestClient();
        _channel = ApiKeyChannel.ForAddress(_http.BaseAddress!, TestApiKey.Value, new GrpcChannelOptions { HttpHandler = _app.GetTestServer().CreateHandler() });
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task HealthReportsEveryCheckAsJson()
    {
        var response = await _http.GetAsync("/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var names = body.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["self", "tensor-cache"], names.Order());
    }

    [Fact]
    public async Task DegradedIsStillServedUnhealthyIs503AndAliveIgnoresBoth()
    {
        _cacheStatus = HealthStatus.Degraded;
        var degraded = await _http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
        Assert.Contains("\"status\":\"Degraded\"", await degraded.Content.ReadAsStringAsync());
        Assert.Contains("cache says Degraded", await degraded.Content.ReadAsStringAsync());

        _cacheStatus = HealthStatus.Unhealthy;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync("/health")).StatusCode);
        var alive = await _http.GetAsync("/alive");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.DoesNotContain("tensor-cache", await alive.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GrpcHealthServiceFollowsTheHealthChecks()
    {
        var health = new Health.HealthClient(_channel);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        _cacheStatus = HealthStatus.Unhealthy;
        // The gRPC health service publishes check results periodically; ask until it has caught up.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HealthCheckResponse.Types.ServingStatus status;
        do
        {
            await Task.Delay(100);
            status = (await health.CheckAsync(new HealthCheckRequest())).Status;
        }
        while (status == HealthCheckResponse.Types.ServingStatus.Serving && DateTime.UtcNow < deadline);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, status);
    }

    [Fact]
    public async Task ReflectionListsTheServices()
    {
        var reflection = new ServerReflection.ServerReflectionClient(_channel);
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("hbac.v1.Inference", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task GrpcCallsAreCountedByMethodAndStatusOnTheHbacMeter()
    {
        var inference = new Inference.InferenceClient(_channel);

        Assert.Equal("v7", (await inference.ListModelsAsync(new ListModelsRequest())).ActiveVersion);
        Assert.Equal("v7", (await inference.ListModelsAsync(new ListModelsRequest())).ActiveVersion);
        var failure = await Assert.ThrowsAsync<RpcException>(async () => await inference.ScoreAsync(new ScoreRequest()));
        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);

        // What the OTLP exporter sends to the Aspire dashboard, read here from the Prometheus exporter of the same meter.
        var lines = (await _http.GetStringAsync("/metrics")).Split('\n');
        double Count(string method, string status) => lines
            .Where(l => l.StartsWith("hbac_rpc_server_requests_total{", StringComparison.Ordinal)
                        && l.Contains($"rpc_method=\"{method}\"", StringComparison.Ordinal) && l.Contains($"rpc_grpc_status_code=\"{status}\"", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture))
            .Sum();
        Assert.Equal(2, Count("/hbac.v1.Inference/ListModels", "0"));
        Assert.Equal(1, Count("/hbac.v1.Inference/Score", "3"));
    }

    [Fact]
    public async Task HbacHistogramsUseBucketsThatResolveAKlValue()
    {
        var meter = _app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>().Create(new System.Diagnostics.Metrics.MeterOptions(HbacInstruments.MeterName));
        var validation = meter.CreateHistogram<double>(HbacInstruments.TrainingValidationLoss);
        validation.Record(0.781);

        // OpenTelemetry's default buckets (0, 5, 10, ...) would put it in "le=5"; the dashboard's P50 would read 5.
        var buckets = (await _http.GetStringAsync("/metrics")).Split('\n')
            .Where(l => l.StartsWith("hbac_training_validation_loss_bucket{", StringComparison.Ordinal)).ToList();
        double Count(string le) => double.Parse(buckets.Single(l => l.Contains($"le=\"{le}\"", StringComparison.Ordinal)).Split(' ')[1],
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, Count("0.78"));
        Assert.Equal(1, Count("0.8"));
    }

    [Fact]
    public async Task PrometheusEndpointExportsTheHbacMeter()
    {
        var inference = new Inference.InferenceClient(_channel);
        await inference.ListModelsAsync(new ListModelsRequest());

        var text = await _http.GetStringAsync("/metrics");

        Assert.Contains("hbac_rpc_server_requests", text);
    }

    [Fact]
    public async Task GrpcServiceReferenceResolvesTheAspireEndpointAndReportsDownstreamHealth()
    {
        var builder = Host.CreateApplicationBuilder();
        // What the AppHost sets as services__inference__grpc__0 / services__training__grpc__0.
        builder.Configuration["services:inference:grpc:0"] = "http://localhost";
        builder.Configuration["services:training:grpc:0"] = "http://127.0.0.1:1";
        // The caller's own key (one key for the whole stack) goes with its calls.
        builder.Configuration[TestApiKey.Setting] = TestApiKey.Value;
        builder.AddServiceDefaults();
        builder.AddGrpcServiceReference<Inference.InferenceClient>("inference")
            .ConfigurePrimaryHttpMessageHandler(() => _app.GetTestServer().CreateHandler());
        builder.Services.AddHttpClient("inference-health")
            .ConfigurePrimaryHttpMessageHandler(() => _app.GetTestServer().CreateHandler());
        builder.AddGrpcServiceReference<Training.TrainingClient>("training");
        using var host = builder.Build();

        var inference = host.Services.GetRequiredService<Inference.InferenceClient>();
        Assert.Equal("v7", (await inference.ListModelsAsync(new ListModelsRequest())).ActiveVersion);

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Entries["inference"].Status);
        Assert.Equal(HealthStatus.Degraded, report.Entries["training"].Status);
        Assert.StartsWith("unreachable:", report.Entries["training"].Description);
    }

    /// <summary>Answers ListModels with a fixed repository and rejects Score, to exercise the plumbing.</summary>
    private sealed class ModelListingInference : Inference.InferenceBase
    {
        public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context) =>
            Task.FromResult(new ListModelsResponse
            {
                ActiveVersion = "v7",
                Models = { new ModelInfo { Version = "v7", Active = true } },
            });

        public override Task<ScoreResponse> Score(ScoreRequest request, ServerCallContext context) =>
            throw new RpcException(new Status(StatusCode.InvalidArgument, "input: neither tensor nor window is set"));
    }
}
