using Grpc.Core;

namespace Hbac.Client.Streaming;

/// <summary>
/// One reconnect of a <see cref="ResilientEegStream"/> after its call failed.
/// </summary>
/// <param name="Attempt">Reconnects since the last delivered reply (1 = the first after the failure).</param>
/// <param name="Failure">Why the previous call ended (Unavailable; a reply watchdog timeout reads "no reply within ...").</param>
/// <param name="FirstSampleIndex">Where in the stream the re-sent signal starts (StreamEegRequest.first_sample_index).</param>
/// <param name="ResentSeconds">Seconds of kept signal re-sent to the new call.</param>
/// <param name="LastDeliveredWindowEndSeconds">End of the newest window delivered before the failure (null: none yet).</param>
public sealed record StreamResume(int Attempt, Status Failure, long FirstSampleIndex, double ResentSeconds, double? LastDeliveredWindowEndSeconds);
