using Google.Protobuf.Reflection;
using Hbac.Contracts.V1;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Windows;

namespace Hbac.Contracts.Tests;

/// <summary>Rules of the public API checked on the compiled descriptors, so a new proto cannot break them quietly.</summary>
public class ContractShapeTests
{
    private static readonly FileDescriptor[] Files =
    [
        CommonReflection.Descriptor, PreprocessingReflection.Descriptor,
        TrainingReflection.Descriptor, InferenceReflection.Descriptor,
    ];

    [Fact]
    public void EveryFileIsInPackageHbacV1()
    {
        Assert.All(Files, file => Assert.Equal("hbac.v1", file.Package));
        Assert.All(Files, file => Assert.StartsWith("hbac/v1/", file.Name));
    }

    [Fact]
    public void EveryEnumStartsWithUnspecifiedZero()
    {
        var enums = Files.SelectMany(file => file.EnumTypes.Concat(file.MessageTypes.SelectMany(m => m.EnumTypes))).ToList();

        Assert.NotEmpty(enums);
        Assert.All(enums, descriptor =>
        {
            var zero = descriptor.FindValueByNumber(0);
            Assert.NotNull(zero);
            Assert.EndsWith("_UNSPECIFIED", zero.Name);
        });
    }

    [Theory]
    [InlineData("Preprocessing", "ConvertSpectrogram,ConvertRecording,GetWindow,PrepareDataset,StreamSpectrogram")]
    [InlineData("Training", "StartRun,WatchRun,ListRuns,GetRun,CancelRun")]
    [InlineData("Inference", "Score,ScoreBatch,StreamEeg,ScoreRecording,ListModels,ActivateModel,GetServingProfile")]
    public void ServicesExposeExactlyTheIssuesRpcs(string service, string methods)
    {
        var descriptor = Files.SelectMany(file => file.Services).Single(s => s.Name == service);

        Assert.Equal(methods.Split(','), descriptor.Methods.Select(m => m.Name));
    }

    [Theory]
    [InlineData("Preprocessing", "PrepareDataset", false, true)]
    [InlineData("Preprocessing", "StreamSpectrogram", true, true)]
    [InlineData("Training", "WatchRun", false, true)]
    [InlineData("Inference", "StreamEeg", true, true)]
    [InlineData("Inference", "ScoreRecording", false, true)]
    [InlineData("Inference", "Score", false, false)]
    public void StreamingShapesAreAsDesigned(string service, string method, bool clientStreaming, bool serverStreaming)
    {
        var descriptor = Files.SelectMany(file => file.Services).Single(s => s.Name == service).FindMethodByName(method);

        Assert.Equal(clientStreaming, descriptor.IsClientStreaming);
        Assert.Equal(serverStreaming, descriptor.IsServerStreaming);
    }

    [Fact]
    public void ProgressStreamsAreOneofProgressOrResult()
    {
        var oneof = PrepareDatasetUpdate.Descriptor.Oneofs.Single();
        Assert.Equal(["progress", "result"], oneof.Fields.Select(f => f.Name));

        var events = RunEvent.Descriptor.Oneofs.Single();
        Assert.Equal(["started", "step", "epoch", "finished"], events.Fields.Select(f => f.Name));

        var report = ScoreRecordingResponse.Descriptor.Oneofs.Single();
        Assert.Equal(["progress", "segment", "summary"], report.Fields.Select(f => f.Name));
    }

    [Fact]
    public void ModelInputConstantsMatchTheDesign()
    {
        Assert.Equal([3, 400, 300], ModelInput.Shape);
        Assert.Equal(360_000, ModelInput.ElementCount);
        Assert.Equal(0.018315639f, ModelInput.ClipMin, 1e-8f);
        Assert.Equal(2980.958f, ModelInput.ClipMax, 1e-2f);
        Assert.Equal(1e-6f, ModelInput.Epsilon);
        Assert.Equal(600.0, ModelInput.WindowSeconds);
    }

    [Fact]
    public void StreamChannelsAreTheKaggleColumns()
    {
        Assert.Equal(KaggleMontage.Columns, EegStream.ChannelNames);
        Assert.Equal(EegStream.ChannelCount, EegStream.ChannelNames.Count);
        Assert.Equal(KaggleMontage.SampleRateHz, EegStream.SampleRateHz);
        Assert.Equal(400, EegStream.ReplyEverySamples);
    }

    [Fact]
    public void StreamWindowGeometryIsTheEegWindowModels()
    {
        Assert.Equal(EegWindow.Seconds, EegStream.ScoredWindowSeconds);
        Assert.Equal(EegWindow.Samples, EegStream.ScoredWindowSamples);
        Assert.Equal(EegWindow.LabelledSeconds, EegStream.SegmentSeconds);
        Assert.Equal(20, EegStream.SegmentEndBeforeWindowEndSeconds);
        Assert.Equal(EegWindowStream.StepSeconds, EegStream.ReplyEverySeconds);
    }
}
