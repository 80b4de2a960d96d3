using Hbac.Fuzz;
using Hbac.Fuzz.Targets;
using SharpFuzz;

// hbac-fuzz <target>                  run under afl-fuzz (SharpFuzz's out-of-process protocol)
// hbac-fuzz <target> --libfuzzer      run under libfuzzer-dotnet
// hbac-fuzz <target> --seeds <dir>    write the target's seed corpus
// hbac-fuzz <target> --replay <path>  run one file or every file of a folder, printing read/refused
var targets = new Dictionary<string, Func<byte[], bool>>(ReaderTargets.All, StringComparer.Ordinal) { ["onnx"] = OnnxTargets.Model };
if (args.Length == 0 || !targets.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: hbac-fuzz <{string.Join('|', targets.Keys)}> [--libfuzzer | --seeds <dir> | --replay <path>]");
    return 2;
}
switch (args.Skip(1).FirstOrDefault())
{
    case "--seeds":
        Directory.CreateDirectory(args[2]);
        foreach (var (name, bytes) in Seeds.For(args[0]))
        {
            File.WriteAllBytes(Path.Combine(args[2], name), bytes);
        }
        return 0;
    case "--replay":
        var files = Directory.Exists(args[2]) ? Directory.GetFiles(args[2]).Order(StringComparer.Ordinal).ToArray() : [args[2]];
        foreach (var file in files)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var read = target(File.ReadAllBytes(file));
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Console.WriteLine($"{(read ? "read" : "refused")} {allocated / 1024} KiB {file}{(read ? "" : $": {ReaderTargets.LastRefusal}")}");
        }
        return 0;
    case "--libfuzzer":
        Fuzzer.LibFuzzer.Run(span => target(span.ToArray()));
        return 0;
    default:
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            target(copy.ToArray());
        });
        return 0;
}
