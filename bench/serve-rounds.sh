#!/bin/bash
# The acceptance ratio of docs/serving.md: served images/s with 16 concurrent clients against
# `galaxynet predict`'s images/s over the same image at the same test-time augmentation, in
# interleaved rounds (predict, then 15 s of load, three times) with the server up throughout
# (idle between loads); medians and their ratio.
#   bench/serve-rounds.sh GALAXYNET RUN IMAGE.jpg TTA [ROUNDS]
set -euo pipefail
galaxynet=$1 run=$2 image=$3 tta=$4 rounds=${5:-3}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
export NO_PROXY='*' no_proxy='*'
python3 - "$image" "$work/body" <<'PY'
import json, struct, sys
data = open(sys.argv[1], "rb").read()
blob = struct.pack("<I", len(data)) + data
header = json.dumps({"inputs": [{"name": "images", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": len(blob)}}],
                     "outputs": [{"name": "answers", "parameters": {"binary_data": True}}]}).encode()
open(sys.argv[2], "wb").write(header + blob)
open(sys.argv[2] + ".length", "w").write(str(len(header)))
PY
mkdir -p "$work/images"
for k in $(seq 1 100); do ln -s "$(cd "$(dirname "$image")" && pwd)/$(basename "$image")" "$work/images/$((100000 + k)).jpg"; done
"$galaxynet" serve --run "$run" --name model --tta "$tta" --port 0 > "$work/serve.log" 2>&1 &
server=$!
until grep -q "http://" "$work/serve.log"; do sleep 0.2; done
port=$(grep -o '127.0.0.1:[0-9]*' "$work/serve.log" | head -1 | cut -d: -f2)
export INFER_PATH=/v2/models/model/infer INFER_BODY=$work/body INFER_HEADER_LENGTH=$(cat "$work/body.length")
predicted="" served=""
for r in $(seq 1 "$rounds"); do
  predicted="$predicted $("$galaxynet" predict --run "$run" --images "$work/images" --tta "$tta" --out "$work/p.csv" 2>/dev/null | grep -o '[0-9.]* images/s' | cut -d' ' -f1)"
  served="$served $(wrk -t 2 -c 16 -d 15s --timeout 30s -s "$(dirname "$0")/serve-load.lua" "http://127.0.0.1:$port" | awk '/Requests\/sec/ {print $2}')"
done
median() { echo "$@" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (a[int((NR+1)/2)] + a[int(NR/2)+1]) / 2}'; }
p=$(median $predicted) s=$(median $served)
echo "TTA $tta: predict$predicted images/s (median $p); served, 16 clients:$served (median $s); served/predict $(awk "BEGIN {printf \"%.2f\", $s / $p}")"
