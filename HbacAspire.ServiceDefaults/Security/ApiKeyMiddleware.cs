using Grpc.Core;
using Hbac.Contracts.Security;
using HbacAspire.ServiceDefaults.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace HbacAspire.ServiceDefaults.Security;

/// <summary>
/// Refuses a gRPC request without the right key from its headers alone, before gRPC reads (and, for a
/// unary call, deserializes) its message: an unauthenticated caller costs no more than its headers. The
/// answer is a trailers-only gRPC response (HTTP 200, <c>grpc-status</c> and <c>grpc-message</c> in the
/// headers), which every gRPC client reads as the call's status; it is counted like any refused call.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyGate gate, GrpcMetricsInterceptor metrics)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentType is not { } type || !type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
            || gate.Refusal(request.Path.Value ?? "", request.Headers.Authorization.ToString() is { Length: > 0 } header ? header : null) is not { } refusal)
        {
            return next(context);
        }
        metrics.RecordRefused(request.Path.Value ?? "", refusal.StatusCode);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)refusal.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // grpc-message is percent-encoded (gRPC over HTTP/2); clients decode it.
        response.Headers["grpc-message"] = Uri.EscapeDataString(refusal.Detail);
        return Task.CompletedTask;
    }
}

/// <summary>Puts <see cref="ApiKeyMiddleware"/> first in the pipeline of every host with the gRPC service defaults.</summary>
internal sealed class ApiKeyStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<ApiKeyMiddleware>();
        next(app);
    };
}
