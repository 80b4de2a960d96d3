using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Hbac.Contracts.Security;
using Hbac.Contracts.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HbacAspire.ServiceDefaults.Tests.Security;

/// <summary>
/// TLS through Kestrel's standard configuration (an https endpoint and its certificate's PEM files), on
/// real Kestrel on a free loopback port: gRPC over h2 by ALPN, with the key still required.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hbac-tls-").FullName;
    private readonly int _port = FreePort();
    private X509Certificate2 _certificate = null!;
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        File.WriteAllText(Path.Combine(_folder, "service.crt"), _certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_folder, "service.key"), key.ExportPkcs8PrivateKeyPem());

        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        // What an operator sets (here as configuration; as environment: Kestrel__Endpoints__Grpc__Url and so on).
        builder.Configuration["Kestrel:Endpoints:Grpc:Url"] = $"https://127.0.0.1:{_port}";
        builder.Configuration["Kestrel:Endpoints:Grpc:Certificate:Path"] = Path.Combine(_folder, "service.crt");
        builder.Configuration["Kestrel:Endpoints:Grpc:Certificate:KeyPath"] = Path.Combine(_folder, "service.key");
        builder.Configuration[ApiKeys.ServiceSetting] = TestApiKey.Value;
        builder.AddServiceDefaults();
        builder.AddGrpcServiceDefaults();
        _app = builder.Build();
        _app.MapGrpcService<OneModel>();
        _app.MapGrpcDefaultEndpoints();
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _certificate.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task GrpcOverTlsServesTheKeyAndRefusesNone()
    {
        using var withKey = Channel($"https://127.0.0.1:{_port}", TestApiKey.Value);
        using var withoutKey = Channel($"https://127.0.0.1:{_port}", null);

        Assert.Equal("v1", (await new Inference.InferenceClient(withKey).ListModelsAsync(new ListModelsRequest())).ActiveVersion);
        var refused = await Assert.ThrowsAsync<RpcException>(() => new Inference.InferenceClient(withoutKey).ListModelsAsync(new ListModelsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task CleartextIsNotServedOnTheTlsEndpoint()
    {
        using var cleartext = Channel($"http://127.0.0.1:{_port}", TestApiKey.Value);

        var failed = await Assert.ThrowsAsync<RpcException>(() => new Inference.InferenceClient(cleartext)
            .ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);

        Assert.NotEqual(StatusCode.OK, failed.StatusCode);
    }

    /// <summary>A channel that trusts exactly the test certificate.</summary>
    private GrpcChannel Channel(string address, string? apiKey) => ApiKeyChannel.ForAddress(address, apiKey, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) =>
                    presented is not null && presented.GetCertHashString() == _certificate.GetCertHashString(),
            },
        },
    });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class OneModel : Inference.InferenceBase
    {
        public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context) =>
            Task.FromResult(new ListModelsResponse { ActiveVersion = "v1" });
    }
}
