using Hbac.Inference.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
// The message limit is Hbac:MaxMessageBytes (AddInferenceServices sets gRPC's receive limit from it).
builder.AddGrpcServiceDefaults();
builder.AddRedisTensorCache();
builder.AddRedisModelAnnouncements();
builder.AddInferenceServices();

var app = builder.Build();
app.MapGrpcService<InferenceService>();
app.MapGrpcDefaultEndpoints();
app.MapDefaultEndpoints();
app.Run();
