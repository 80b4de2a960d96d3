#!/usr/bin/env python3
"""Stream an EDF/BDF recording to the HBAC inference service from Python, as `hbac stream` does from .NET.

The client of a researcher's own Python code: MNE reads the recording, grpcio carries it, and the
service resamples it to 200 Hz (StreamEegRequest.sample_rate_hz), so any rate MNE reads is sent as
it is. One line per reply (the 10-s segment scored, its lag behind the newest sample, the class
distribution), or one JSON object per reply with --json.

The Python stubs are generated from the repository's protos/ on first use, with pip's grpcio-tools
(python3 -m grpc_tools.protoc) or Debian's protoc and grpc_python_plugin; see README.md here.
"""

import argparse
import json
import os
import sys
import time

from hbac_grpc import (CLASSES, CLASS_NAMES, UsageError, add_service_arguments, api_key, describe_probabilities,
                       load_stubs, open_channel, probability_values)

# The stream's 20 channels, in StreamEeg's order (Hbac.Contracts.EegStream.ChannelNames: Kaggle's columns).
CHANNELS = ["Fp1", "F3", "C3", "P3", "F7", "T3", "T5", "O1", "Fz", "Cz",
            "Pz", "Fp2", "F4", "C4", "P4", "F8", "T4", "T6", "O2", "EKG"]
# No double-banana chain reads these: a recording without them is streamed with zeros there (the
# service then lists them as flat), as `hbac stream` does.
OPTIONAL = {"Fz", "Cz", "Pz", "EKG"}
# 10-10 names of the 10-20 electrodes the Kaggle montage calls T3, T4, T5, T6.
TEN_TEN = {"T7": "T3", "T8": "T4", "P7": "T5", "P8": "T6"}
REFERENCES = {"REF", "LE", "RE", "AVG", "AV", "AR", "CAR", "A1", "A2", "A1A2", "A12", "M1", "M2", "M1M2",
              "LINKED", "LER", "REF1", "GND", "COM"}
CARDIAC = {"EKG", "ECG", "EKG1", "ECG1", "EKGL", "EKGR", "ECGL", "ECGR"}


def canonical(label):
    """The stream channel a recording label names ("EEG Fp1-REF", "FP1", "Fp1.", "T7" ...), or None."""
    name = label.strip().rstrip(".").strip().upper()
    for prefix in ("EEG ", "EEG-", "EEG:", "POL ", "EEG_"):
        if name.startswith(prefix):
            name = name[len(prefix):].lstrip()
            break
    if name.startswith("ECG ") or name.startswith("EKG "):
        return "EKG"
    if "-" in name:
        head, reference = name.split("-", 1)
        if reference.strip().replace("+", "") not in REFERENCES:
            # A bipolar derivation is not an electrode; "EKG1-EKG2" is still the cardiac lead.
            return "EKG" if head.strip() in CARDIAC else None
        name = head.strip()
    if name in CARDIAC:
        return "EKG"
    name = TEN_TEN.get(name, name)
    return next((c for c in CHANNELS[:-1] if c.upper() == name), None)


def channel_map(labels, path):
    """For each stream channel, the index of the first recording signal that holds it, or None (optional ones only)."""
    found = {}
    for index, label in enumerate(labels):
        name = canonical(label)
        if name is not None and name not in found:
            found[name] = index
    missing = [c for c in CHANNELS if c not in found and c not in OPTIONAL]
    if missing:
        raise UsageError(f"{path}: no {', '.join(missing)} signal (labels: {', '.join(labels)}); the double-banana chains "
                         "need all 16 of Fp1-F7-T3-T5-O1, Fp1-F3-C3-P3-O1 and their right-hand homologues "
                         "(a bipolar recording: use `hbac stream`, which reads the chains themselves)")
    return [found.get(c) for c in CHANNELS]


def requests(pb, common, raw, picks, chunk_seconds, realtime, sent):
    """One request per chunk of the recording, at its own rate (the first also says the rate), in microvolts."""
    import numpy as np
    rate = raw.info["sfreq"]
    per_chunk = max(1, int(round(rate * chunk_seconds)))
    present = [i for i in picks if i is not None]
    clock = time.monotonic()
    for start in range(0, raw.n_times, per_chunk):
        stop = min(start + per_chunk, raw.n_times)
        data = raw.get_data(picks=present, start=start, stop=stop) * 1e6  # MNE reads volts; the stream carries uV
        chunk = np.zeros((len(CHANNELS), stop - start), dtype=np.float32)
        row = 0
        for channel, index in enumerate(picks):
            if index is not None:
                chunk[channel] = data[row]
                row += 1
        if realtime:
            delay = start / rate - (time.monotonic() - clock)
            if delay > 0:
                time.sleep(delay)
        request = pb.StreamEegRequest(chunk=common.EegChunk(samples=chunk.ravel().tolist(), layout=common.SAMPLE_LAYOUT_CHANNEL_MAJOR))
        if start == 0 and rate != 200:
            request.sample_rate_hz = rate
        sent[0] = stop / rate
        yield request


def describe(reply, as_json):
    if as_json:
        return json.dumps({
            "window_end_seconds": reply.window_end_seconds,
            "segment_start_seconds": reply.segment_start_seconds,
            "segment_end_seconds": reply.segment_end_seconds,
            "lag_seconds": reply.lag_seconds,
            "top_class": CLASS_NAMES.get(reply.top_class, "-"),
            "probabilities": dict(zip(CLASSES, probability_values(reply.probabilities))),
            "model_version": reply.model_version,
            "quality": reply.quality,
        })
    line = (f"segment {reply.segment_start_seconds:7.1f}-{reply.segment_end_seconds:.1f} s  lag {reply.lag_seconds:5.1f} s  "
            + describe_probabilities(reply.probabilities, reply.top_class) + f"  model={reply.model_version}")
    return line if reply.quality in ("", "ok") else line + f"  quality={reply.quality}"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Stream an EDF/BDF recording to the HBAC inference service (StreamEeg) "
                                     "and print the score of each 10-s segment, every 2 s of signal once 50 s are in.")
    parser.add_argument("recording", help="EDF or BDF recording (referential montage, any sampling rate from 64 to 4096 Hz)")
    add_service_arguments(parser)
    parser.add_argument("--chunk-seconds", type=float, default=1.0, help="signal per message (default: %(default)s)")
    parser.add_argument("--realtime", action="store_true", help="send one second of signal per second of wall time")
    parser.add_argument("--json", action="store_true", help="one JSON object per reply instead of a line")
    args = parser.parse_args(argv)
    prog = os.path.basename(sys.argv[0])
    try:
        if not os.path.isfile(args.recording):
            raise UsageError(f"{args.recording}: no such file")
        if not 0 < args.chunk_seconds <= 60:
            raise UsageError(f"--chunk-seconds {args.chunk_seconds}: must be above 0 and at most 60")
        grpc, common, pb, rpc = load_stubs(args, {"numpy": ("numpy", "python3-numpy"), "mne": ("mne", "python3-mne")})
        import mne

        reader = mne.io.read_raw_bdf if args.recording.lower().endswith(".bdf") else mne.io.read_raw_edf
        try:
            raw = reader(args.recording, preload=False, verbose="error")
        except Exception as error:  # MNE's own message names what it could not read
            raise UsageError(f"{args.recording}: not a readable EDF/BDF recording: {error}")
        picks = channel_map(raw.ch_names, args.recording)
        key = api_key(args.api_key, args.home)
        metadata = [("authorization", f"Bearer {key}")] if key else []
        sent = [0.0]
        replies = 0
        clock = time.monotonic()
        with open_channel(grpc, args.server) as channel:
            stub = rpc.InferenceStub(channel)
            try:
                for reply in stub.StreamEeg(requests(pb, common, raw, picks, args.chunk_seconds, args.realtime, sent), metadata=metadata):
                    print(describe(reply, args.json), flush=True)
                    replies += 1
            except grpc.RpcError as error:
                print(f"{prog}: {args.server}: {error.code().name}: {error.details()}", file=sys.stderr)
                return 1
        print(f"{sent[0]:.1f} s sent at {raw.info['sfreq']:g} Hz, {replies} {'reply' if replies == 1 else 'replies'} "
              f"in {time.monotonic() - clock:.1f} s" + (" (a reply needs 50 s of signal)" if sent[0] < 50 else ""), file=sys.stderr)
        return 0
    except UsageError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): nothing left to say.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
