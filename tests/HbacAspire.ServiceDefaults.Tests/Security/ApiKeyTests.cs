using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Hbac.Contracts.Security;
using Hbac.Contracts.V1;
using HbacAspire.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HbacAspire.ServiceDefaults.Tests.Security;

/// <summary>The API key as every service gets it from the gRPC service defaults: the interceptor and the start-up rule.</summary>
public sealed class ApiKeyTests
{
    [Fact]
    public async Task NoKeyIsUnauthenticatedAndSaysWhereTheKeyComesFrom()
    {
        await using var app = await StartAsync(TestApiKey.Value);
        using var channel = Channel(app, apiKey: null);

        var refused = await Assert.ThrowsAsync<RpcException>(() => new Inference.InferenceClient(channel).ListModelsAsync(new ListModelsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("authorization: Bearer <key>", refused.Status.Detail);
        Assert.Contains("<--home>/api-key", refused.Status.Detail);
        Assert.Contains("HBAC_API_KEY", refused.Status.Detail);
        Assert.Contains("--api-key", refused.Status.Detail);
        Assert.Contains("'api-key'", refused.Status.Detail);
    }

    [Fact]
    public async Task AWrongKeyIsPermissionDeniedAndTheRightOneIsServed()
    {
        await using var app = await StartAsync(TestApiKey.Value);
        using var wrong = Channel(app, TestApiKey.Value[..^1] + "X");
        using var right = Channel(app, TestApiKey.Value);

        var refused = await Assert.ThrowsAsync<RpcException>(() => new Inference.InferenceClient(wrong).ListModelsAsync(new ListModelsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal(ApiKeyInterceptor.WrongKey, refused.Status.Detail);
        Assert.Contains("HBAC_API_KEY", refused.Status.Detail);

        Assert.Equal("v1", (await new Inference.InferenceClient(right).ListModelsAsync(new ListModelsRequest())).ActiveVersion);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("")]
    public async Task AnotherSchemeOrNoKeyAfterTheSchemeIsUnauthenticated(string header)
    {
        await using var app = await StartAsync(TestApiKey.Value);
        using var channel = Channel(app, apiKey: null);

        var refused = await Assert.ThrowsAsync<RpcException>(() => new Inference.InferenceClient(channel)
            .ListModelsAsync(new ListModelsRequest(), new Metadata { { ApiKeys.HeaderName, header } }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task TheSchemeIsCaseInsensitive()
    {
        await using var app = await StartAsync(TestApiKey.Value);
        using var channel = Channel(app, apiKey: null);

        var models = await new Inference.InferenceClient(channel)
            .ListModelsAsync(new ListModelsRequest(), new Metadata { { ApiKeys.HeaderName, "bearer " + TestApiKey.Value } });

        Assert.Equal("v1", models.ActiveVersion);
    }

    [Fact]
    public async Task StreamsAreRefusedBeforeTheirHandlerRuns()
    {
        await using var app = await StartAsync(TestApiKey.Value);
        using var none = Channel(app, apiKey: null);
        using var wrong = Channel(app, "another-key-of-enough-length");

        // StreamEeg is not implemented by this service: reaching the handler would answer Unimplemented.
        foreach (var (channel, expected) in new[] { (none, StatusCode.Unauthenticated), (wrong, StatusCode.PermissionDenied) })
        {
            using var call = new Inference.InferenceClient(channel).StreamEeg();
            var refused = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
            Assert.Equal(expected, refused.StatusCode);
        }
        using var right = Channel(app, TestApiKey.Value);
        using var served = new Inference.InferenceClient(right).StreamEeg();
        Assert.Equal(StatusCode.Unimplemented, (await Assert.ThrowsAsync<RpcException>(() => served.ResponseStream.MoveNext())).StatusCode);
    }

    [Theory]
    [InlineData(null, "16")]
    [InlineData("Bearer another-key-of-enough-length", "7")]
    public async Task ARefusedCallIsAnsweredFromItsHeadersBeforeItsMessageIsRead(string? authorization, string status)
    {
        await using var app = await StartAsync(TestApiKey.Value);
        using var http = app.GetTestClient();
        // A message that is not a ListModelsRequest at all: reading it would fail as Internal, not as a key refusal.
        byte[] garbage = [0, 0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

        async Task<(string? Status, string? Message)> CallAsync(string? header)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/hbac.v1.Inference/ListModels")
            {
                Version = HttpVersion.Version20,
                Content = new ByteArrayContent(garbage),
            };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
            if (header is not null)
            {
                request.Headers.TryAddWithoutValidation(ApiKeys.HeaderName, header);
            }
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            string? Get(string name) =>
                response.Headers.TryGetValues(name, out var values) || response.TrailingHeaders.TryGetValues(name, out values) ? values.First() : null;
            return (Get("grpc-status"), Get("grpc-message"));
        }

        var refused = await CallAsync(authorization);
        var served = await CallAsync("Bearer " + TestApiKey.Value);

        Assert.Equal(status, refused.Status);
        Assert.Equal(status == "16" ? ApiKeyGate.MissingKey : ApiKeyGate.WrongKey, Uri.UnescapeDataString(refused.Message!));
        // With the right key the same bytes reach gRPC, which cannot read them.
        Assert.NotNull(served.Status);
        Assert.NotEqual("0", served.Status);
        Assert.NotEqual(status, served.Status);
    }

    [Fact]
    public async Task HealthReflectionAndTheHttpHealthEndpointsNeedNoKey()
    {
        await using var app = await StartAsync(TestApiKey.Value);
        using var channel = Channel(app, apiKey: null);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest())).Status);
        using var reflection = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await reflection.RequestStream.CompleteAsync();
        Assert.True(await reflection.ResponseStream.MoveNext());
        Assert.Contains("hbac.v1.Inference", reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name));
        using var http = app.GetTestClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task WithoutAKeyTheServiceRefusesToStartNamingTheSettingAndTheOptOut()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(apiKey: null));

        Assert.Contains("Hbac:ApiKey is not set", refused.Message);
        Assert.Contains("Hbac__ApiKey", refused.Message);
        Assert.Contains("Hbac:AllowUnauthenticated=true", refused.Message);
    }

    [Theory]
    [InlineData("short-key", "is 9 characters; a key needs at least 16")]
    [InlineData("a key with spaces inside", "holds a character that is not visible ASCII")]
    public async Task AKeyThatCannotBeASecretIsRefusedAtStart(string key, string reason)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(key));

        Assert.Contains("Hbac:ApiKey " + reason, refused.Message);
    }

    [Fact]
    public async Task AKeyAndTheOptOutTogetherAreRefusedAtStart()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(TestApiKey.Value, allowUnauthenticated: true));

        Assert.Contains("both set", refused.Message);
    }

    [Fact]
    public async Task TheDocumentedOptOutServesCallersWithoutAKey()
    {
        await using var app = await StartAsync(apiKey: null, allowUnauthenticated: true);
        using var channel = Channel(app, apiKey: null);

        Assert.Equal("v1", (await new Inference.InferenceClient(channel).ListModelsAsync(new ListModelsRequest())).ActiveVersion);
    }

    private static GrpcChannel Channel(WebApplication app, string? apiKey) =>
        ApiKeyChannel.ForAddress(app.GetTestClient().BaseAddress!, apiKey, new GrpcChannelOptions { HttpHandler = app.GetTestServer().CreateHandler() });

    private static async Task<WebApplication> StartAsync(string? apiKey, bool allowUnauthenticated = false)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        if (apiKey is not null)
        {
            builder.Configuration[ApiKeys.ServiceSetting] = apiKey;
        }
        if (allowUnauthenticated)
        {
            builder.Configuration[ApiKeys.AllowUnauthenticatedSetting] = "true";
        }
        builder.AddServiceDefaults();
        builder.AddGrpcServiceDefaults();
        var app = builder.Build();
        app.MapGrpcService<OneModel>();
        app.MapGrpcDefaultEndpoints();
        app.MapDefaultEndpoints();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    private sealed class OneModel : Inference.InferenceBase
    {
        public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context) =>
            Task.FromResult(new ListModelsResponse { ActiveVersion = "v1" });
    }
}
