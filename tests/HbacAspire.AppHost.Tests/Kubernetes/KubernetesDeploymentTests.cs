using System.Text.Json.Nodes;
using Hbac.Tests;
using static HbacAspire.AppHost.Tests.Kubernetes.KubernetesObjects;

namespace HbacAspire.AppHost.Tests.Kubernetes;

/// <summary>
/// deploy/kubernetes against the app model: each overlay rendered with <c>kubectl kustomize</c>
/// (<see cref="Kubectl"/>: HBAC_KUBECTL or kubectl on PATH; skipped without one) and checked by
/// <see cref="DeploymentDriftCheck"/> against the manifest the AppHost publishes. The mutation tests
/// change one thing in a real rendering and expect the check to name it, so the check cannot pass
/// vacuously.
/// </summary>
public sealed class KubernetesDeploymentTests
{
    private static readonly string[] Services = ["preprocessing", "training", "inference"];

    private static readonly string Overlays = Path.Combine(SharedData.RepositoryRoot, "deploy", "kubernetes", "overlays");

    private static readonly Dictionary<string, KubernetesObjects> Rendered = [];

    private static KubernetesObjects Render(string overlay)
    {
        lock (Rendered)
        {
            if (!Rendered.TryGetValue(overlay, out var objects))
            {
                Rendered[overlay] = objects = Kubectl.Kustomize(Path.Combine(Overlays, overlay));
            }
            return objects.Clone();
        }
    }

    private static JsonObject Deployment(KubernetesObjects cluster, string name) =>
        Assert.IsType<JsonObject>(cluster.Find("Deployment", name), exactMatch: false);

    private static JsonObject ContainerOf(KubernetesObjects cluster, string name) =>
        Assert.IsType<JsonObject>(Container(Deployment(cluster, name), name), exactMatch: false);

    private static JsonObject Env(KubernetesObjects cluster, string deployment, string variable) =>
        Assert.Single(Items(ContainerOf(cluster, deployment)["env"]), e => Text(e["name"]) == variable);

    private static void AssertDrift(KubernetesObjects cluster, string expected)
    {
        var problems = DeploymentDriftCheck.Check(AspireManifest.Load(), cluster);
        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)),
            $"expected a problem containing \"{expected}\"; the check said:\n{string.Join('\n', problems)}");
    }

    [KubectlTheory]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void EachOverlayRunsWhatTheAppHostsManifestDescribes(string overlay)
    {
        var manifest = AspireManifest.Load();
        var projects = manifest["resources"]!.AsObject().Where(r => Text(r.Value?["type"]) == "project.v0").Select(r => r.Key);
        Assert.Equal(Services.Order(), projects.Order());

        var problems = DeploymentDriftCheck.Check(manifest, Render(overlay));

        Assert.True(problems.Count == 0, $"deploy/kubernetes/overlays/{overlay} drifted from the AppHost's manifest:\n{string.Join('\n', problems)}");
    }

    [KubectlFact]
    public void RemovingAnyVariableTheAppHostPassesFromItsDeploymentIsDrift()
    {
        var manifest = AspireManifest.Load();
        var checkedVariables = 0;
        foreach (var service in Services)
        {
            foreach (var (variable, _) in manifest["resources"]![service]!["env"]!.AsObject())
            {
                var cluster = Render("cpu");
                var env = (JsonArray)ContainerOf(cluster, service)["env"]!;
                Assert.True(env.Remove(Env(cluster, service, variable)));

                var problems = DeploymentDriftCheck.Check(manifest, cluster);

                Assert.Contains($"Deployment '{service}': {variable} is not set", Assert.Single(problems));
                checkedVariables++;
            }
        }
        // The redis connection string, service discovery, the folders and the key are among them.
        Assert.True(checkedVariables >= 20, $"only {checkedVariables} variables in the manifest");
    }

    [KubectlFact]
    public void AValueThatMeansSomethingElseInTheClusterIsDrift()
    {
        // Service discovery must name the Service's port, not the AppHost's proxy port.
        var cluster = Render("cpu");
        Env(cluster, "training", "services__preprocessing__grpc__0")["value"] = "http://preprocessing:5101";
        AssertDrift(cluster, "Deployment 'training': services__preprocessing__grpc__0 is 'http://preprocessing:5101', but the AppHost's '{preprocessing.bindings.grpc.url}' means 'http://preprocessing:8080'");

        // The ConfigMap behind ConnectionStrings__redis is resolved.
        cluster = Render("cpu");
        var configMap = Assert.Single(cluster.OfKind("ConfigMap"), c => Text(c["metadata"]!["name"])!.StartsWith("hbac-redis", StringComparison.Ordinal));
        configMap["data"]!["connection-string"] = "redis:6380";
        AssertDrift(cluster, "Deployment 'inference': ConnectionStrings__redis is 'redis:6380', but the AppHost's '{redis.connectionString}' means 'redis:6379'");

        // The listening port follows the container's port named grpc.
        cluster = Render("cpu");
        Env(cluster, "inference", "HTTP_PORTS")["value"] = "5103";
        AssertDrift(cluster, "Deployment 'inference': HTTP_PORTS is '5103'");

        // A literal the AppHost sets is compared as it is.
        cluster = Render("cpu");
        Env(cluster, "preprocessing", "OTEL_EXPORTER_OTLP_TIMEOUT")["value"] = "10000";
        AssertDrift(cluster, "Deployment 'preprocessing': OTEL_EXPORTER_OTLP_TIMEOUT is '10000', but the AppHost's '1000'");
    }

    [KubectlFact]
    public void TheApiKeyMustComeFromTheSecretKeyNamedAfterTheParameter()
    {
        var cluster = Render("cpu");
        var key = Env(cluster, "inference", "Hbac__ApiKey");
        key.Remove("valueFrom");
        key["value"] = "not-a-secret";
        AssertDrift(cluster, "Deployment 'inference': Hbac__ApiKey must come from a Secret");

        cluster = Render("cpu");
        Env(cluster, "training", "Hbac__ApiKey")["valueFrom"]!["secretKeyRef"]!["key"] = "key";
        AssertDrift(cluster, "Deployment 'training': Hbac__ApiKey: secretKeyRef key is 'key', expected 'api-key'");
    }

    [KubectlFact]
    public void TheFoldersAreSharedReadWriteManyVolumes()
    {
        var cluster = Render("cpu");
        foreach (var service in new[] { "training", "inference" })
        {
            Assert.Equal("/models", Text(Env(cluster, service, "Hbac__ModelRepository")["value"]));
        }
        var models = Assert.IsType<JsonObject>(cluster.Find("PersistentVolumeClaim", "hbac-models"), exactMatch: false);
        Assert.Contains("ReadWriteMany", models["spec"]!["accessModes"]!.AsArray().Select(Text));
        // Inference writes its activation pin there (ActivateModel), which is how every pod serves the activated version.
        Assert.NotEqual("true", Text(Assert.Single(Items(ContainerOf(cluster, "inference")["volumeMounts"]), m => Text(m["mountPath"]) == "/models")["readOnly"]));

        // Inference on a claim of its own would never see what training publishes.
        var volume = Assert.Single(Items(Deployment(cluster, "inference")["spec"]!["template"]!["spec"]!["volumes"]), v => Text(v["name"]) == "models");
        volume["persistentVolumeClaim"]!["claimName"] = "inference-models";
        AssertDrift(cluster, "Hbac__ModelRepository: 'training' mounts 'hbac-models', 'inference' mounts 'inference-models'");

        cluster = Render("cpu");
        cluster.Find("PersistentVolumeClaim", "hbac-data")!["spec"]!["accessModes"] = new JsonArray("ReadWriteOnce");
        AssertDrift(cluster, "PersistentVolumeClaim 'hbac-data' (Hbac__DataRoot) is not ReadWriteMany");

        cluster = Render("cpu");
        Env(cluster, "preprocessing", "Hbac__DataRoot")["value"] = "/srv/data";
        AssertDrift(cluster, "Deployment 'preprocessing': Hbac__DataRoot is '/srv/data', which is not the mount path of a PersistentVolumeClaim");
    }

    [KubectlFact]
    public void EveryServiceHasGrpcReadinessAndLivenessProbesOnItsPort()
    {
        var cluster = Render("cpu");
        foreach (var service in Services)
        {
            var container = ContainerOf(cluster, service);
            foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
            {
                Assert.Equal("8080", Text(container[probe]!["grpc"]!["port"]));
            }
        }

        ContainerOf(cluster, "training").Remove("livenessProbe");
        AssertDrift(cluster, "Deployment 'training': no gRPC livenessProbe");

        cluster = Render("cpu");
        ContainerOf(cluster, "inference")["readinessProbe"]!["grpc"]!["port"] = "5103";
        AssertDrift(cluster, "Deployment 'inference': the gRPC readinessProbe asks port 5103, but the service listens on 8080");
    }

    [KubectlFact]
    public void EachServiceHasAClusterIpServiceAndAHeadlessOne()
    {
        var cluster = Render("cpu");
        foreach (var service in Services)
        {
            Assert.Null(Text(cluster.Find("Service", service)!["spec"]!["clusterIP"]));
            Assert.Equal("None", Text(cluster.Find("Service", $"{service}-headless")!["spec"]!["clusterIP"]));
        }

        cluster.Find("Service", "inference-headless")!["spec"]!.AsObject().Remove("clusterIP");
        AssertDrift(cluster, "Service 'inference-headless': clusterIP is not None");

        cluster = Render("cpu");
        cluster.Find("Service", "preprocessing")!["spec"]!["selector"] = new JsonObject { ["app.kubernetes.io/name"] = "training" };
        AssertDrift(cluster, "Service 'preprocessing': its selector does not select the pods of 'preprocessing'");
    }

    [KubectlFact]
    public void RedisIsAStatefulSetWithAVolumeClaimTemplate()
    {
        var cluster = Render("cpu");
        var redis = Assert.IsType<JsonObject>(cluster.Find("StatefulSet", "redis"), exactMatch: false);
        Assert.Equal("/data", Text(Assert.Single(Items(Container(redis, "redis")!["volumeMounts"]))["mountPath"]));

        redis["spec"]!.AsObject().Remove("volumeClaimTemplates");
        AssertDrift(cluster, "StatefulSet 'redis': no volumeClaimTemplates");

        cluster = Render("cpu");
        cluster.Find("StatefulSet", "redis")!["kind"] = "Deployment";
        AssertDrift(cluster, "resource 'redis': no StatefulSet 'redis'");
    }

    [KubectlFact]
    public void InferenceScalesOnCpuWithAnAutoscalingV2Autoscaler()
    {
        var cluster = Render("cpu");
        var autoscaler = Assert.Single(cluster.OfKind("HorizontalPodAutoscaler"));
        Assert.Equal("autoscaling/v2", Text(autoscaler["apiVersion"]));
        Assert.Equal("Deployment", Text(autoscaler["spec"]!["scaleTargetRef"]!["kind"]));
        Assert.Equal("inference", Text(autoscaler["spec"]!["scaleTargetRef"]!["name"]));
        var metric = Assert.Single(Items(autoscaler["spec"]!["metrics"]));
        Assert.Equal("cpu", Text(metric["resource"]!["name"]));
        // Utilization is measured against the request, so there must be one.
        Assert.NotNull(Text(ContainerOf(cluster, "inference")["resources"]!["requests"]!["cpu"]));
        var minimum = int.Parse(Text(autoscaler["spec"]!["minReplicas"])!);
        Assert.True(minimum >= 2, $"minReplicas {minimum}: one inference pod is no fleet");
        Assert.Equal(minimum, int.Parse(Text(Deployment(cluster, "inference")["spec"]!["replicas"])!));
    }

    [KubectlFact]
    public void TheGpuOverlayGivesTrainingAndInferenceOneGpuAndTheGpuImagesAndTheCpuOverlayNone()
    {
        var gpu = Render("gpu");
        var cpu = Render("cpu");
        foreach (var service in Services)
        {
            Assert.Null(ContainerOf(cpu, service)["resources"]!["limits"]!["nvidia.com/gpu"]);
            var limit = Text(ContainerOf(gpu, service)["resources"]!["limits"]!["nvidia.com/gpu"]);
            var image = Text(ContainerOf(gpu, service)["image"]);
            if (service == "preprocessing")
            {
                Assert.Null(limit);
                Assert.Equal(Text(ContainerOf(cpu, service)["image"]), image);
            }
            else
            {
                Assert.Equal("1", limit);
                Assert.Equal($"hbac-{service}:gpu", image);
                // The patch merges into the base's container: the memory limit and everything else stay.
                Assert.Equal(Text(ContainerOf(cpu, service)["resources"]!["limits"]!["memory"]), Text(ContainerOf(gpu, service)["resources"]!["limits"]!["memory"]));
                Assert.Equal(ContainerOf(cpu, service)["env"]!.ToJsonString(), ContainerOf(gpu, service)["env"]!.ToJsonString());
            }
        }
    }
}
