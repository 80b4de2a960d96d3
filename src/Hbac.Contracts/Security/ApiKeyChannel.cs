using Grpc.Core;
using Grpc.Net.Client;

namespace Hbac.Contracts.Security;

/// <summary>
/// A gRPC channel whose every call carries <c>authorization: Bearer &lt;key&gt;</c> (as call credentials,
/// so it also covers streams and calls made through any client on the channel). Used by hbac, the
/// AppHost's job and commands, and the tests.
/// </summary>
public static class ApiKeyChannel
{
    /// <param name="apiKey">Null: calls go without a key (a service that allows unauthenticated callers, or to hear its refusal).</param>
    /// <param name="options">Other settings (handler, message sizes); its credentials are set here.</param>
    public static GrpcChannel ForAddress(Uri address, string? apiKey, GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        if (apiKey is not null)
        {
            var header = $"{ApiKeys.Scheme} {apiKey}";
            var credentials = CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add(ApiKeys.HeaderName, header);
                return Task.CompletedTask;
            });
            var secure = address.Scheme == Uri.UriSchemeHttps;
            options.Credentials = ChannelCredentials.Create(secure ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, credentials);
            // The stack talks h2c on loopback: without this, call credentials are not sent over http://.
            options.UnsafeUseInsecureChannelCallCredentials = !secure;
        }
        return GrpcChannel.ForAddress(address, options);
    }

    public static GrpcChannel ForAddress(string address, string? apiKey, GrpcChannelOptions? options = null) =>
        ForAddress(new Uri(address), apiKey, options);
}
