using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static HbacAspire.AppHost.Tests.Kubernetes.KubernetesObjects;

namespace HbacAspire.AppHost.Tests.Kubernetes;

/// <summary>
/// Does a rendered Kubernetes deployment run what the AppHost's manifest (<c>--publisher manifest</c>)
/// describes? Every project needs a Deployment whose container sets every environment variable the
/// manifest gives the project, to the value the manifest's expression means in the cluster: a
/// resource's endpoint is its Service (<c>{preprocessing.bindings.grpc.url}</c> =
/// <c>http://preprocessing:&lt;Service port "grpc"&gt;</c>), a target port is the container's port of
/// that name, a connection string is resolved the same way, a secret parameter comes from a Secret key
/// of the parameter's name, and the folders the AppHost keeps under <c>--home</c>
/// (<see cref="MountedFolders"/>) are volume mounts. Pure: reads the two documents, returns the
/// problems (none = no drift), each naming the resource and the setting.
/// </summary>
public static partial class DeploymentDriftCheck
{
    /// <summary>
    /// The values that legitimately differ by design: folders the AppHost passes as paths under its
    /// <c>--home</c>. In the cluster each must be the mount path of a PersistentVolumeClaim in that
    /// container, and projects that share the folder in the app model must mount the same claim.
    /// </summary>
    public static readonly IReadOnlySet<string> MountedFolders = new HashSet<string>(StringComparer.Ordinal) { "Hbac__DataRoot", "Hbac__ModelRepository" };

    public static IReadOnlyList<string> Check(JsonObject manifest, KubernetesObjects cluster)
    {
        var problems = new List<string>();
        var resources = manifest["resources"] as JsonObject ?? throw new FormatException("manifest: no \"resources\" object");
        var context = new Context(resources, cluster, problems);
        foreach (var (name, resource) in resources)
        {
            switch (Text(resource?["type"]))
            {
                case "project.v0":
                    CheckProject(context, name, (JsonObject)resource!);
                    break;
                case "executable.v0" or "container.v0" or "container.v1" when resource!["connectionString"] is not null:
                    CheckDataStore(context, name);
                    break;
            }
        }
        CheckSharedFolders(context);
        return problems;
    }

    private sealed record Context(JsonObject Resources, KubernetesObjects Cluster, List<string> Problems)
    {
        /// <summary>(env name, manifest value) -> (project, claim name) for the mounted folders seen.</summary>
        public List<(string Variable, string AppModelPath, string Project, string Claim)> Folders { get; } = [];
    }

    private static void CheckProject(Context context, string name, JsonObject project)
    {
        var problems = context.Problems;
        if (context.Cluster.Find("Deployment", name) is not { } deployment)
        {
            problems.Add($"project '{name}': no Deployment '{name}'");
            return;
        }
        if (Container(deployment, name) is not { } container)
        {
            problems.Add($"Deployment '{name}': no container '{name}' (and not exactly one container)");
            return;
        }
        var environment = Items(container["env"]).ToDictionary(e => Text(e["name"]) ?? "", StringComparer.Ordinal);
        foreach (var (variable, valueNode) in project["env"] as JsonObject ?? [])
        {
            var expected = Text(valueNode) ?? "";
            if (!environment.TryGetValue(variable, out var actual))
            {
                problems.Add($"Deployment '{name}': {variable} is not set (the AppHost sets '{expected}')");
                continue;
            }
            CheckValue(context, name, container, variable, expected, actual);
        }
        foreach (var (binding, _) in project["bindings"] as JsonObject ?? [])
        {
            CheckServices(context, name, binding);
        }
        CheckGrpcProbes(context, name, container);
    }

    private static void CheckValue(Context context, string project, JsonObject container, string variable, string expected, JsonObject actual)
    {
        var where = $"Deployment '{project}': {variable}";
        var problems = context.Problems;
        if (MountedFolders.Contains(variable))
        {
            CheckMountedFolder(context, project, container, variable, expected, Text(actual["value"]));
            return;
        }
        if (SecretParameter(context, expected) is { } parameter)
        {
            var reference = actual["valueFrom"]?["secretKeyRef"];
            if (reference is null)
            {
                problems.Add($"{where} must come from a Secret (valueFrom.secretKeyRef): the AppHost passes the secret parameter '{parameter}'");
            }
            else if (Text(reference["key"]) != parameter)
            {
                problems.Add($"{where}: secretKeyRef key is '{Text(reference["key"])}', expected '{parameter}' (the parameter's name)");
            }
            else if (Text(reference["optional"]) == "true")
            {
                problems.Add($"{where}: the Secret must not be optional (the service refuses to start without the key, which is what should happen)");
            }
            return;
        }
        if (Resolve(context, project, expected, 0) is not { } wanted)
        {
            return;
        }
        if (ActualValue(context, actual, where) is { } value && value != wanted)
        {
            problems.Add($"{where} is '{value}', but the AppHost's '{expected}' means '{wanted}' in the cluster");
        }
    }

    /// <summary>A plain value, or a ConfigMap key's value from the same rendering; null (with a problem) when it cannot be read.</summary>
    private static string? ActualValue(Context context, JsonObject actual, string where)
    {
        if (actual["value"] is { } value)
        {
            return Text(value) ?? "";
        }
        if (actual["valueFrom"]?["configMapKeyRef"] is { } reference)
        {
            var map = Text(reference["name"]) ?? "";
            var key = Text(reference["key"]) ?? "";
            if (context.Cluster.Find("ConfigMap", map) is not { } configMap)
            {
                context.Problems.Add($"{where}: ConfigMap '{map}' is not in the rendering");
                return null;
            }
            if (Text(configMap["data"]?[key]) is not { } data)
            {
                context.Problems.Add($"{where}: ConfigMap '{map}' has no key '{key}'");
                return null;
            }
            return data;
        }
        if (actual["valueFrom"]?["secretKeyRef"] is not null)
        {
            // A Secret the operator creates: its value cannot be compared here, only that it is set.
            return null;
        }
        context.Problems.Add($"{where} has neither a value nor a ConfigMap or Secret reference");
        return null;
    }

    /// <summary>The parameter's name when <paramref name="expression"/> is exactly a secret parameter's value.</summary>
    private static string? SecretParameter(Context context, string expression)
    {
        var match = PlaceholderPattern().Match(expression);
        if (!match.Success || match.Length != expression.Length || match.Groups["path"].Value != "value")
        {
            return null;
        }
        var name = match.Groups["resource"].Value;
        var resource = context.Resources[name];
        return Text(resource?["type"]) == "parameter.v0" && Text(resource?["inputs"]?["value"]?["secret"]) is "true" ? name : null;
    }

    /// <summary>What a manifest value means in the cluster, placeholders replaced; null (with a problem) when one cannot be resolved.</summary>
    private static string? Resolve(Context context, string project, string expression, int depth)
    {
        if (depth > 5)
        {
            context.Problems.Add($"project '{project}': '{expression}' refers to itself");
            return null;
        }
        var failed = false;
        var result = PlaceholderPattern().Replace(expression, match =>
        {
            var value = ResolvePlaceholder(context, project, match.Groups["resource"].Value, match.Groups["path"].Value, depth);
            failed |= value is null;
            return value ?? "";
        });
        return failed ? null : result;
    }

    private static string? ResolvePlaceholder(Context context, string project, string resourceName, string path, int depth)
    {
        var problems = context.Problems;
        if (context.Resources[resourceName] is not JsonObject resource)
        {
            problems.Add($"project '{project}': the manifest refers to an unknown resource '{resourceName}'");
            return null;
        }
        if (path == "connectionString")
        {
            return Text(resource["connectionString"]) is { } connection ? Resolve(context, project, connection, depth + 1) : null;
        }
        var parts = path.Split('.');
        if (parts is not ["bindings", var binding, var property])
        {
            problems.Add($"project '{project}': no cluster equivalent known for '{{{resourceName}.{path}}}'");
            return null;
        }
        switch (property)
        {
            case "host":
                return ServicePort(context, resourceName, binding) is null ? null : resourceName;
            case "port":
                return ServicePort(context, resourceName, binding);
            case "url":
                var scheme = Text(resource["bindings"]?[binding]?["scheme"]) ?? "http";
                return ServicePort(context, resourceName, binding) is { } port ? $"{scheme}://{resourceName}:{port}" : null;
            case "targetPort":
                return ContainerPort(context, resourceName, binding);
            default:
                problems.Add($"project '{project}': no cluster equivalent known for '{{{resourceName}.{path}}}'");
                return null;
        }
    }

    /// <summary>The container port named <paramref name="binding"/> of the resource's workload.</summary>
    private static string? ContainerPort(Context context, string resourceName, string binding)
    {
        if (context.Cluster.Workload(resourceName) is not { } workload || Container(workload, resourceName) is not { } container)
        {
            context.Problems.Add($"resource '{resourceName}': no Deployment or StatefulSet with its container");
            return null;
        }
        if (Items(container["ports"]).FirstOrDefault(p => Text(p["name"]) == binding) is not { } port)
        {
            context.Problems.Add($"resource '{resourceName}': its container has no port named '{binding}' (the app model's endpoint)");
            return null;
        }
        return Text(port["containerPort"]);
    }

    /// <summary>
    /// The port of Service <paramref name="resourceName"/> named <paramref name="binding"/>, checked to
    /// select the resource's pods and to reach the container port of that name.
    /// </summary>
    private static string? ServicePort(Context context, string resourceName, string binding) =>
        ServicePortOf(context, resourceName, resourceName, binding);

    private static string? ServicePortOf(Context context, string serviceName, string resourceName, string binding)
    {
        var problems = context.Problems;
        if (context.Cluster.Find("Service", serviceName) is not { } service)
        {
            problems.Add($"resource '{resourceName}': no Service '{serviceName}'");
            return null;
        }
        if (Items(service["spec"]?["ports"]).FirstOrDefault(p => Text(p["name"]) == binding) is not { } port)
        {
            problems.Add($"Service '{serviceName}': no port named '{binding}' (the app model's endpoint)");
            return null;
        }
        if (context.Cluster.Workload(resourceName) is { } workload)
        {
            var labels = workload["spec"]?["template"]?["metadata"]?["labels"] as JsonObject ?? [];
            var selector = service["spec"]?["selector"] as JsonObject ?? [];
            if (selector.Count == 0 || selector.Any(s => Text(labels[s.Key]) != Text(s.Value)))
            {
                problems.Add($"Service '{serviceName}': its selector does not select the pods of '{resourceName}'");
            }
            var target = Text(port["targetPort"]) ?? Text(port["port"]);
            var containerPort = Container(workload, resourceName) is { } container
                ? Items(container["ports"]).FirstOrDefault(p => Text(p["name"]) == binding)
                : null;
            if (containerPort is null || (target != binding && target != Text(containerPort["containerPort"])))
            {
                problems.Add($"Service '{serviceName}': port '{binding}' targets '{target}', not the container port named '{binding}'");
            }
        }
        return Text(port["port"]);
    }

    /// <summary>The normal Service and a headless one (clusterIP None, for client-side balancing) per endpoint.</summary>
    private static void CheckServices(Context context, string name, string binding)
    {
        ServicePort(context, name, binding);
        var headless = $"{name}-headless";
        if (context.Cluster.Find("Service", headless) is not { } service)
        {
            context.Problems.Add($"project '{name}': no headless Service '{headless}'");
            return;
        }
        if (Text(service["spec"]?["clusterIP"]) != "None")
        {
            context.Problems.Add($"Service '{headless}': clusterIP is not None (not headless)");
        }
        ServicePortOf(context, headless, name, binding);
    }

    /// <summary>Native gRPC readiness and liveness probes on the port the service listens on, asking grpc.health.v1 for the server ("").</summary>
    private static void CheckGrpcProbes(Context context, string name, JsonObject container)
    {
        var listening = Items(container["ports"]).FirstOrDefault(p => Text(p["name"]) == "grpc") is { } port ? Text(port["containerPort"]) : null;
        foreach (var kind in new[] { "readinessProbe", "livenessProbe" })
        {
            var grpc = container[kind]?["grpc"];
            if (grpc is null)
            {
                context.Problems.Add($"Deployment '{name}': no gRPC {kind} (grpc.health.v1)");
            }
            else if (Text(grpc["port"]) != listening)
            {
                context.Problems.Add($"Deployment '{name}': the gRPC {kind} asks port {Text(grpc["port"])}, but the service listens on {listening ?? "(no port named grpc)"}");
            }
            else if (Text(grpc["service"]) is { Length: > 0 } service)
            {
                context.Problems.Add($"Deployment '{name}': the gRPC {kind} asks service '{service}'; the services report their health as the server's (\"\")");
            }
        }
    }

    private static void CheckMountedFolder(Context context, string project, JsonObject container, string variable, string appModelPath, string? path)
    {
        var where = $"Deployment '{project}': {variable}";
        if (path is null)
        {
            context.Problems.Add($"{where} must be a plain path (the mount path of its volume)");
            return;
        }
        var mount = Items(container["volumeMounts"]).FirstOrDefault(m => Text(m["mountPath"]) == path);
        var workload = context.Cluster.Find("Deployment", project)!;
        var volume = mount is null
            ? null
            : Items(workload["spec"]?["template"]?["spec"]?["volumes"]).FirstOrDefault(v => Text(v["name"]) == Text(mount["name"]));
        if (Text(volume?["persistentVolumeClaim"]?["claimName"]) is not { } claim)
        {
            context.Problems.Add($"{where} is '{path}', which is not the mount path of a PersistentVolumeClaim in the container");
            return;
        }
        context.Folders.Add((variable, appModelPath, project, claim));
    }

    /// <summary>
    /// Projects that share a folder in the app model (the same path under --home) must share one claim,
    /// ReadWriteMany (several pods on several nodes): e.g. every inference pod sees what training publishes.
    /// </summary>
    private static void CheckSharedFolders(Context context)
    {
        foreach (var group in context.Folders.GroupBy(f => (f.Variable, f.AppModelPath)))
        {
            var claims = group.Select(f => f.Claim).Distinct().ToList();
            if (claims.Count > 1)
            {
                context.Problems.Add($"{group.Key.Variable}: {string.Join(", ", group.Select(f => $"'{f.Project}' mounts '{f.Claim}'"))}; the AppHost gives them one folder, so they need one claim");
                continue;
            }
            if (context.Cluster.Find("PersistentVolumeClaim", claims[0]) is not { } claim)
            {
                context.Problems.Add($"{group.Key.Variable}: PersistentVolumeClaim '{claims[0]}' is not in the rendering");
            }
            else if (!(claim["spec"]?["accessModes"] as JsonArray ?? []).Any(m => Text(m) == "ReadWriteMany"))
            {
                context.Problems.Add($"PersistentVolumeClaim '{claims[0]}' ({group.Key.Variable}) is not ReadWriteMany, but pods of {string.Join(", ", group.Select(f => f.Project))} on any node mount it");
            }
        }
    }

    /// <summary>A stateful resource with a connection string (Redis): a StatefulSet keeping its data on a claim of its own.</summary>
    private static void CheckDataStore(Context context, string name)
    {
        if (context.Cluster.Find("StatefulSet", name) is not { } statefulSet)
        {
            context.Problems.Add($"resource '{name}': no StatefulSet '{name}'");
            return;
        }
        if (Items(statefulSet["spec"]?["volumeClaimTemplates"]).FirstOrDefault() is null)
        {
            context.Problems.Add($"StatefulSet '{name}': no volumeClaimTemplates (its data would not survive the pod)");
        }
    }

    [GeneratedRegex(@"\{(?<resource>[A-Za-z0-9_-]+)\.(?<path>[A-Za-z0-9_.-]+)\}")]
    private static partial Regex PlaceholderPattern();
}
