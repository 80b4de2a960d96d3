using System.CommandLine;
using System.Globalization;
using Hbac.Cli.Services;
using Hbac.Contracts.V1;

namespace Hbac.Cli.Commands;

/// <summary><c>hbac models --server &lt;url&gt;</c>: the inference service's model versions, newest first.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "Inference service URL, e.g. http://localhost:5103", Required = true };
        var command = new Command("models", "List the inference service's model versions (newest first), each with its input kind, and the active one of each kind");
        command.Options.Add(server);
        ServiceKey.AddOptions(command);
        ReplyWatchdog.AddOption(command);
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(() =>
        {
            var url = parseResult.GetValue(server)!;
            return InferenceServer.RunAsync(url, ServiceKey.Resolve(parseResult), ReplyWatchdog.Resolve(parseResult), async (client, watchdog) =>
            {
                var response = await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: watchdog.Token);
                foreach (var model in response.Models)
                {
                    Console.WriteLine(Describe(model));
                }
                // A version with an int8 model is listed twice (one row per file).
                var count = response.Models.Select(m => m.Version).Distinct().Count();
                var versions = Counted.Of(count, "version");
                if (response.Models.Count > count)
                {
                    versions += $" ({response.Models.Count} model files)";
                }
                Console.Error.WriteLine($"{versions}; spectrogram model (Score): {Active(response.ActiveVersion)}; " +
                    $"EEG-window model (StreamEeg): {Active(response.ActiveEegVersion)}");
                return 0;
            }, ct);
        }));
        return command;
    }

    internal static string Describe(ModelInfo model)
    {
        var loss = double.IsNaN(model.ValidationLoss) ? "-" : model.ValidationLoss.ToString("0.0000", CultureInfo.InvariantCulture);
        var created = model.CreatedAt is null ? "-" : model.CreatedAt.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var state = model.Active ? "active" : model.Valid ? "valid" : "invalid";
        var kind = model.InputKind == ModelInputKind.Eeg ? "eeg" : "spectrogram";
        // Where a valid version runs (CUDA or CPU); a refused one runs nowhere.
        var provider = model.ExecutionProvider.Length > 0 ? $"  {model.ExecutionProvider}" : "";
        var precision = model.Precision.Length > 0 ? $"  {model.Precision}" : "";
        var line = $"{model.Version}  {state}  {kind}  {Architecture(model.Architecture)}{precision}{provider}  val_loss={loss}  created={created}";
        return model.Valid ? line : $"{line}  reason: {model.InvalidReason}";
    }

    private static string Active(string version) => version.Length == 0 ? "none" : version;

    private static string Architecture(ModelArchitecture architecture) => architecture switch
    {
        ModelArchitecture.MobilenetV3Large => "mobilenetv3",
        ModelArchitecture.EfficientnetV2B2 => "efficientnetv2b2",
        _ => "unknown",
    };
}
