#!/usr/bin/env python3
"""Score one window of a spectrogram with the HBAC inference service from Python, as `hbac score` does from .NET.

The spectrogram is a NumPy array [400, T] (4 regions x 100 frequencies, one column per 2 s: Kaggle's
layout, as `hbac convert` writes a Kaggle parquet to .npy and `hbac spectrogram` writes one of an EEG).
The window at --offset is normalised here exactly as the service's training and scoring normalise it
(Hbac.Eeg.Windows.SpectrogramWindow), and its [400, 300] plane goes to Score, which repeats it on the
model's 3 channels. One line (hbac score's), or a JSON object with --json.
"""

import argparse
import json
import os
import sys

from hbac_grpc import CLASSES, CLASS_NAMES, UsageError, add_service_arguments, api_key, describe_probabilities, load_stubs, open_channel, probability_values

ROWS = 400
COLUMNS = 300
SECONDS_PER_COLUMN = 2.0
STD_EPSILON = 1e-6


def window_plane(np, spectrogram, offset_seconds):
    """The normalised [400, 300] plane of the 600-s window at offset_seconds: columns from floor(offset / 2),
    zero-padded on the right; NaN -> 0, clip to [e^-4, e^8], natural log, minus the window's mean, divided by its
    population standard deviation + 1e-6 (the sums in float64, the values in float32, as the service computes them)."""
    start = int(offset_seconds // SECONDS_PER_COLUMN)
    clip_min, clip_max = np.exp(np.float32(-4)), np.exp(np.float32(8))
    plane = np.full((ROWS, COLUMNS), clip_min, dtype=np.float32)  # padding: 0 before the log, clipped to e^-4
    taken = spectrogram[:, start:start + COLUMNS].astype(np.float32)
    plane[:, :taken.shape[1]] = np.nan_to_num(taken, nan=0.0)
    plane = np.log(np.clip(plane, clip_min, clip_max))
    mean = plane.mean(dtype=np.float64)
    std = np.sqrt(max(0.0, (plane.astype(np.float64) ** 2).mean() - mean * mean))
    return ((plane - np.float32(mean)) / np.float32(std + STD_EPSILON)).astype(np.float32)


def load_spectrogram(np, path):
    """A [400, T] float array from a .npy file; a file that is not one is refused naming what it holds."""
    with open(path, "rb") as file:
        if file.read(6) != b"\x93NUMPY":
            raise UsageError(f"{path}: not a .npy file (it does not start with NumPy's magic bytes \\x93NUMPY)")
    try:
        values = np.load(path, allow_pickle=False)
    except Exception as error:  # NumPy's message says what it could not read
        raise UsageError(f"{path}: not a readable .npy array: {error}")
    if values.ndim != 2 or values.shape[0] != ROWS or values.shape[1] < 1:
        raise UsageError(f"{path}: shape {list(values.shape)}, expected a spectrogram [400, T] (4 regions x 100 frequencies, "
                         "a column per 2 s; `hbac convert` writes a Kaggle parquet as one)")
    if values.dtype.kind != "f":
        raise UsageError(f"{path}: dtype {values.dtype}, expected float32 or float64 power values")
    if np.isinf(values).any():
        row, column = np.argwhere(np.isinf(values))[0]
        raise UsageError(f"{path}: value [{row}, {column}] is infinite; a spectrogram's power is finite (NaN reads as 0)")
    return values


def main(argv=None):
    parser = argparse.ArgumentParser(description="Score the 600-s window of a [400, T] spectrogram (.npy) at an offset with the HBAC "
                                     "inference service's spectrogram model (Score) and print the class distribution.")
    parser.add_argument("spectrogram", help=".npy spectrogram [400, T] in Kaggle's layout (hbac convert, hbac spectrogram)")
    parser.add_argument("--offset", type=float, default=0.0, help="the window's start in seconds, Kaggle's spectrogram_label_offset_seconds (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="a JSON object instead of a line")
    add_service_arguments(parser)
    args = parser.parse_args(argv)
    prog = os.path.basename(sys.argv[0])
    try:
        if not os.path.isfile(args.spectrogram):
            raise UsageError(f"{args.spectrogram}: no such file")
        if not (args.offset >= 0 and args.offset != float("inf")):
            raise UsageError(f"--offset {args.offset}: must be a number of seconds >= 0")
        grpc, common, pb, rpc = load_stubs(args, {"numpy": ("numpy", "python3-numpy")})
        import numpy as np

        spectrogram = load_spectrogram(np, args.spectrogram)
        if int(args.offset // SECONDS_PER_COLUMN) >= spectrogram.shape[1]:
            raise UsageError(f"{args.spectrogram}: --offset {args.offset:g} s is past the spectrogram's end ({spectrogram.shape[1] * 2} s)")
        plane = window_plane(np, spectrogram, args.offset)
        request = pb.ScoreRequest(tensor=common.Tensor(shape=[ROWS, COLUMNS], data=plane.astype("<f4").tobytes()))
        key = api_key(args.api_key, args.home)
        metadata = [("authorization", f"Bearer {key}")] if key else []
        with open_channel(grpc, args.server) as channel:
            try:
                reply = rpc.InferenceStub(channel).Score(request, metadata=metadata, timeout=60)
            except grpc.RpcError as error:
                print(f"{prog}: {args.server}: {error.code().name}: {error.details()}", file=sys.stderr)
                return 1
        if args.json:
            print(json.dumps({"top_class": CLASS_NAMES.get(reply.top_class, "-"),
                              "probabilities": dict(zip(CLASSES, probability_values(reply.probabilities))),
                              "model_version": reply.model_version}))
        else:
            print(f"{describe_probabilities(reply.probabilities, reply.top_class)}  model={reply.model_version}")
        return 0
    except UsageError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
