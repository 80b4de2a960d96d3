using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HbacAspire.AppHost.Tests.Kubernetes;

/// <summary>
/// The objects of a rendered kustomization (<c>kubectl kustomize</c>'s multi-document YAML), each as a
/// JSON tree. Every YAML scalar is kept as a string ("8080", "true"): kustomize versions quote
/// differently, and the checks compare text.
/// </summary>
public sealed class KubernetesObjects
{
    private KubernetesObjects(IReadOnlyList<JsonObject> objects) => All = objects;

    public IReadOnlyList<JsonObject> All { get; }

    /// <summary>The objects of <paramref name="yaml"/>; a document that is not a mapping with kind and metadata.name is refused, naming its position.</summary>
    public static KubernetesObjects Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException problem)
        {
            throw new FormatException($"rendered YAML: {problem.Message} (at {problem.Start})", problem);
        }
        var objects = new List<JsonObject>();
        foreach (var (document, index) in stream.Documents.Select((d, i) => (d, i)))
        {
            if (ToJson(document.RootNode) is not JsonObject item || Text(item["kind"]) is null || Text(item["metadata"]?["name"]) is null)
            {
                throw new FormatException($"rendered YAML: document {index + 1} is not an object with kind and metadata.name");
            }
            objects.Add(item);
        }
        return new KubernetesObjects(objects);
    }

    /// <summary>A copy, for tests that change a rendering to see the check catch it.</summary>
    public KubernetesObjects Clone() => new([.. All.Select(o => (JsonObject)o.DeepClone())]);

    public JsonObject? Find(string kind, string name) =>
        All.FirstOrDefault(o => Text(o["kind"]) == kind && Text(o["metadata"]!["name"]) == name);

    public IEnumerable<JsonObject> OfKind(string kind) => All.Where(o => Text(o["kind"]) == kind);

    /// <summary>A Deployment or StatefulSet of that name (the workload behind a resource).</summary>
    public JsonObject? Workload(string name) => Find("Deployment", name) ?? Find("StatefulSet", name);

    /// <summary>The container named <paramref name="name"/> of a workload, else its only container.</summary>
    public static JsonObject? Container(JsonObject workload, string name)
    {
        var containers = Containers(workload).ToList();
        return containers.FirstOrDefault(c => Text(c["name"]) == name) ?? (containers.Count == 1 ? containers[0] : null);
    }

    public static IEnumerable<JsonObject> Containers(JsonObject workload) =>
        (workload["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>();

    public static IEnumerable<JsonObject> Items(JsonNode? array) => (array as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>A scalar's text (a JSON number or boolean, e.g. from the Aspire manifest, as written); null for a missing node or an object or array.</summary>
    public static string? Text(JsonNode? node) =>
        node is JsonValue value ? (value.TryGetValue<string>(out var text) ? text : value.ToJsonString()) : null;

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair =>
            KeyValuePair.Create(((YamlScalarNode)pair.Key).Value ?? "", ToJson(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode { Value: var value } scalar when scalar.Style == ScalarStyle.Plain && value is "null" or "~" or "" => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new FormatException($"rendered YAML: unsupported node at {node.Start}"),
    };
}
