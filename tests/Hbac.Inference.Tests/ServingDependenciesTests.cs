using System.Reflection;

namespace Hbac.Inference.Tests;

/// <summary>The inference service is the serving side only: it never loads TorchSharp or the training library.</summary>
public class ServingDependenciesTests
{
    private static readonly string[] TrainingSide = ["TorchSharp", "Hbac.Learning"];

    [Fact]
    public void NeitherTheServiceNorTheLibrariesItUsesReferenceTorchSharpOrTheTrainingLibrary()
    {
        var service = typeof(Hbac.Inference.Models.ModelRepository).Assembly;
        var seen = new HashSet<string>();
        var pending = new Queue<Assembly>([service]);
        while (pending.TryDequeue(out var assembly))
        {
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                Assert.DoesNotContain(reference.Name, TrainingSide);
                // Our own libraries are walked too: Hbac.Onnx, Hbac.Eeg, Hbac.Caching, Hbac.Contracts, the service defaults.
                if (reference.Name is { } name && (name.StartsWith("Hbac.", StringComparison.Ordinal) || name.StartsWith("HbacAspire.", StringComparison.Ordinal)) && seen.Add(name))
                {
                    pending.Enqueue(Assembly.Load(reference));
                }
            }
        }
        Assert.Contains("Hbac.Onnx", seen);
    }
}
