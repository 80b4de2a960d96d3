using Hbac.Training.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGrpcServiceDefaults();
builder.AddRedisTensorCache();
builder.AddRedisModelAnnouncements();
builder.AddTrainingServices();

var app = builder.Build();
app.MapGrpcService<TrainingService>();
app.MapGrpcDefaultEndpoints();
app.MapDefaultEndpoints();
app.Run();
