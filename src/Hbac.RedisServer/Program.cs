using System.Runtime.InteropServices;
using Garnet;

// The embedded Redis-compatible server: Microsoft Garnet with its own command line (--port, --bind,
// --logdir, --checkpointdir, --aof, --recover; see --help). Runs until SIGTERM or Ctrl+C, so the
// AppHost (DCP) and the tests stop it as they stop redis-server.
using var stop = new ManualResetEventSlim();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Set();
}
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

GarnetServer server;
try
{
    server = new GarnetServer(args);
}
catch (Exception exception) when (exception is Garnet.common.GarnetException or ArgumentException or InvalidOperationException or IOException)
{
    Console.Error.WriteLine($"Hbac.RedisServer: {exception.Message}");
    return 2;
}
using (server)
{
    server.Start();
    stop.Wait();
}
return 0;
