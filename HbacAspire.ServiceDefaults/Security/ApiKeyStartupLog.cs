using Hbac.Contracts.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HbacAspire.ServiceDefaults.Security;

/// <summary>Says at start whether the service requires its key, and warns loudly when it serves anyone.</summary>
internal sealed class ApiKeyStartupLog(IOptions<ApiKeyOptions> options, ILogger<ApiKeyStartupLog> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AllowUnauthenticated)
        {
            log.LogWarning("{Setting}=true: every caller is served without an API key (local development only)", ApiKeys.AllowUnauthenticatedSetting);
        }
        else
        {
            log.LogInformation("every RPC but health and reflection requires 'authorization: Bearer <key>' ({Setting})", ApiKeys.ServiceSetting);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
