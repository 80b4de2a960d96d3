"""What the Python clients of the HBAC services share: the stubs generated from protos/, the API key, the
channel, the class names and one-line errors. Not a script; hbac_stream.py and hbac_score.py import it."""

import os
import shutil
import subprocess
import sys
from urllib.parse import urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOS = os.path.normpath(os.path.join(HERE, "..", "..", "protos"))

# The six classes in the Kaggle vote-column order (hbac.v1.ClassProbabilities), and EegClass's names as hbac prints them.
CLASSES = ["seizure", "lpd", "gpd", "lrda", "grda", "other"]
CLASS_NAMES = {1: "Seizure", 2: "LPD", 3: "GPD", 4: "LRDA", 5: "GRDA", 6: "Other"}


class UsageError(Exception):
    """A problem with the input or the setup, printed as one line naming what is wrong."""


def add_service_arguments(parser):
    """The options every client takes to reach the service, as hbac names them."""
    parser.add_argument("--server", default="http://localhost:5103", help="inference service URL (default: %(default)s)")
    parser.add_argument("--api-key", help="the services' API key (default: $HBAC_API_KEY, else the key file under --home)")
    parser.add_argument("--home", default="./.hbac", help="the AppHost's --home, whose api-key file holds the key (default: %(default)s)")
    parser.add_argument("--stubs", default=os.path.join(HERE, "generated"), help="where the generated stubs go (default: %(default)s)")


def load_stubs(args, extra):
    """Checks the packages, generates the stubs when needed and imports them: (grpc, common_pb2, inference_pb2, inference_pb2_grpc)."""
    require_modules(extra)
    ensure_stubs(args.stubs)
    sys.path.insert(0, args.stubs)
    import grpc
    from hbac.v1 import common_pb2, inference_pb2, inference_pb2_grpc
    return grpc, common_pb2, inference_pb2, inference_pb2_grpc


def probability_values(probabilities):
    """A ClassProbabilities message as a list in CLASSES order."""
    return [getattr(probabilities, name) for name in CLASSES]


def describe_probabilities(probabilities, top_class):
    """hbac's "<Top>   seizure=0.123 lpd=..." (Hbac.Cli's InferenceServer.Describe)."""
    top = CLASS_NAMES.get(top_class, "-")
    return f"{top:<7} " + " ".join(f"{name}={value:.3f}" for name, value in zip(CLASSES, probability_values(probabilities)))


def ensure_stubs(out_dir):
    """Generates hbac/v1/*_pb2*.py from protos/ into out_dir unless they are there and newer than the protos."""
    protos = sorted(os.path.join(PROTOS, "hbac", "v1", f) for f in os.listdir(os.path.join(PROTOS, "hbac", "v1")) if f.endswith(".proto"))
    generated = os.path.join(out_dir, "hbac", "v1", "inference_pb2_grpc.py")
    if os.path.exists(generated) and os.path.getmtime(generated) >= max(os.path.getmtime(p) for p in protos):
        return
    os.makedirs(out_dir, exist_ok=True)
    try:
        import grpc_tools  # pip's grpcio-tools: protoc and the well-known types in one package
        include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        command = [sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTOS}", f"-I{include}",
                   f"--python_out={out_dir}", f"--grpc_python_out={out_dir}"]
    except ImportError:
        protoc, plugin = shutil.which("protoc"), shutil.which("grpc_python_plugin")
        if protoc is None or plugin is None:
            raise UsageError("no protoc to generate the Python stubs: pip install grpcio-tools, or "
                             "apt-get install protobuf-compiler protobuf-compiler-grpc libprotobuf-dev")
        command = [protoc, f"-I{PROTOS}", "-I/usr/include", f"--python_out={out_dir}", f"--grpc_out={out_dir}",
                   f"--plugin=protoc-gen-grpc={plugin}"]
    result = subprocess.run(command + protos, capture_output=True, text=True)
    if result.returncode != 0:
        raise UsageError(f"generating the stubs from {PROTOS} failed: {result.stderr.strip()}")
    for package in (os.path.join(out_dir, "hbac"), os.path.join(out_dir, "hbac", "v1")):
        open(os.path.join(package, "__init__.py"), "a").close()


def require_modules(extra):
    """Refuses at once, naming them, when this Python lacks grpcio, protobuf or the script's own packages
    (extra: module -> (pip package, Debian package))."""
    import importlib.util
    needed = {"grpc": ("grpcio", "python3-grpcio"), "google.protobuf": ("protobuf", "python3-protobuf"), **extra}
    missing = []
    for module, packages in needed.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:  # a missing parent package (google)
            found = False
        if not found:
            missing.append(packages)
    if missing:
        raise UsageError(f"{sys.executable} cannot import {', '.join(p for p, _ in missing)}: "
                         f"pip install {' '.join(p for p, _ in missing)} (Debian's /usr/bin/python3: "
                         f"apt-get install {' '.join(d for _, d in missing)})")


def api_key(option, home):
    """--api-key, else $HBAC_API_KEY, else <home>/api-key (the file the AppHost writes), else None."""
    if option and option.strip():
        return option.strip()
    if os.environ.get("HBAC_API_KEY", "").strip():
        return os.environ["HBAC_API_KEY"].strip()
    path = os.path.join(home, "api-key")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as file:
            key = file.read().strip()
        if not key:
            raise UsageError(f"{os.path.abspath(path)}: the key file is empty; pass --api-key")
        return key
    return None


def open_channel(grpc, server):
    url = urlparse(server if "://" in server else "http://" + server)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise UsageError(f"--server {server}: not an http:// or https:// URL")
    target = f"{url.hostname}:{url.port or (443 if url.scheme == 'https' else 80)}"
    return grpc.secure_channel(target, grpc.ssl_channel_credentials()) if url.scheme == "https" else grpc.insecure_channel(target)


