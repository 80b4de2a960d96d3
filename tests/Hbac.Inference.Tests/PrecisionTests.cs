extern alias cli;

using Hbac.Contracts.V1;
using Hbac.Inference.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hbac.Inference.Tests;

/// <summary>A version's model.int8.onnx served by default, model.onnx on request, both listed with their precision.</summary>
[Collection(nameof(ConsoleCapture))] // one test runs hbac in this process, which redirects the console
public sealed class PrecisionTests
{
    // Told apart by their answers: the "int8" file of a version favours another class than its model.onnx.
    private static readonly TinyOnnxModel Fp32 = TinyOnnxModel.Favouring(0);
    private static readonly TinyOnnxModel Int8 = TinyOnnxModel.Favouring(3).AsInt8();

    [Fact]
    public async Task TheInt8ModelServesByDefaultAndBothAreListed()
    {
        using var factory = new InferenceFactory(repository => Fp32.Publish(repository, "v1", int8: Int8));
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());

        var score = await client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) });
        Inputs.AssertProbabilities(Int8.Expected([0, 0, 0]), score.Probabilities);

        var models = await client.ListModelsAsync(new ListModelsRequest());
        Assert.Equal("v1", models.ActiveVersion);
        Assert.Equal([("v1", "fp32", false), ("v1", "int8", true)], models.Models.Select(m => (m.Version, m.Precision, m.Active)));
        Assert.All(models.Models, m => Assert.True(m.Valid));
        Assert.All(models.Models, m => Assert.Equal("CPU", m.ExecutionProvider));
        Assert.Contains("v1  active  spectrogram  mobilenetv3  int8  CPU", models.Models.Select(cli::Hbac.Cli.Commands.ModelsCommand.Describe).Last());
    }

    [Fact]
    public async Task HbacModelsCountsVersionsNotFiles()
    {
        using var factory = new InferenceFactory(repository => Fp32.Publish(repository, "v1", int8: Int8));
        factory.UseKestrel(0);
        factory.StartServer();
        var url = factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1");

        var (exit, output, error) = await CliCommandTests.RunAsync("models", "--server", url);

        Assert.Equal(0, exit);
        Assert.Equal(2, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("1 version (2 model files); spectrogram model (Score): v1;", error);
    }

    [Fact]
    public async Task PrecisionFp32ServesModelOnnx()
    {
        using var factory = new InferenceFactory(repository => Fp32.Publish(repository, "v1", int8: Int8), new Dictionary<string, string> { ["Hbac:Precision"] = "fp32" });
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());

        var score = await client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) });
        Inputs.AssertProbabilities(Fp32.Expected([0, 0, 0]), score.Probabilities);
        var models = await client.ListModelsAsync(new ListModelsRequest());
        Assert.Equal([("fp32", true, true), ("int8", false, true)], models.Models.Select(m => (m.Precision, m.Active, m.Valid)));
    }

    [Theory]
    [InlineData("truncated", "model.int8.onnx: not a loadable ONNX model")]
    [InlineData("no precision entry", "model.int8.onnx: metadata hbac.precision says fp32, expected int8")]
    [InlineData("other kind", "model.int8.onnx: an eeg model beside an spectrogram model.onnx")]
    public async Task ARefusedInt8ModelIsListedInvalidAndModelOnnxServes(string defect, string reason)
    {
        using var factory = new InferenceFactory(repository =>
        {
            var folder = Fp32.Publish(repository, "v1");
            var int8Path = Path.Combine(folder, "model.int8.onnx");
            switch (defect)
            {
                case "truncated":
                    File.WriteAllBytes(int8Path, Int8.ToBytes()[..40]);
                    break;
                case "no precision entry":
                    TinyOnnxModel.Favouring(3).Save(int8Path);
                    break;
                default:
                    TinyOnnxModel.EegFavouring(3).AsInt8().Save(int8Path);
                    break;
            }
        });
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());

        var score = await client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) });
        Inputs.AssertProbabilities(Fp32.Expected([0, 0, 0]), score.Probabilities);
        var models = await client.ListModelsAsync(new ListModelsRequest());
        var int8 = Assert.Single(models.Models, m => m.Precision == "int8");
        Assert.False(int8.Valid);
        Assert.False(int8.Active);
        Assert.Equal("", int8.ExecutionProvider);
        Assert.Contains(reason, int8.InvalidReason);
        Assert.True(Assert.Single(models.Models, m => m.Precision == "fp32").Active);
    }

    [Fact]
    public async Task AnInt8ModelAddedToAServedVersionIsPickedUp()
    {
        using var factory = new InferenceFactory(repository => Fp32.Publish(repository, "v1"));
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());
        Inputs.AssertProbabilities(Fp32.Expected([0, 0, 0]), (await client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) })).Probabilities);

        // hbac quantize --out <repository>/v1/model.int8.onnx, by hand after publishing.
        var temp = Path.Combine(factory.Repository, "v1", ".model.int8.onnx.tmp");
        Int8.Save(temp);
        File.Move(temp, Path.Combine(factory.Repository, "v1", "model.int8.onnx"));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await client.ListModelsAsync(new ListModelsRequest())).Models.All(m => m.Precision != "int8" || !m.Active))
        {
            Assert.True(DateTime.UtcNow < deadline, "the int8 model was not picked up by the repository's poll");
            await Task.Delay(100);
        }
        Inputs.AssertProbabilities(Int8.Expected([0, 0, 0]), (await client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) })).Probabilities);
    }
}
