# Shared by bench/serve-load.sh and bench/serve-rounds.sh (sourced, with galaxynet, run, image
# and tta set): a scratch folder, the request body — the JSON header, then the image as one
# length-prefixed BYTES element, as Triton's binary-data extension carries it — a folder of 200
# links to the image for `predict`, and the functions that time predict and start the server.
work=$(mktemp -d)
server=""
trap 'if [ -n "$server" ]; then kill $server 2>/dev/null || true; fi; rm -rf "$work"' EXIT
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
for k in $(seq 1 200); do ln -s "$(cd "$(dirname "$image")" && pwd)/$(basename "$image")" "$work/images/$((100000 + k)).jpg"; done
export INFER_PATH=/v2/models/model/infer INFER_BODY=$work/body INFER_HEADER_LENGTH=$(cat "$work/body.length")
script=$(dirname "$0")/serve-load.lua

# predict's images/s over the 200 links.
predict_rate() { "$galaxynet" predict --run "$run" --images "$work/images" --tta "$tta" --out "$work/p.csv" 2>/dev/null | grep -o '[0-9.]* images/s' | cut -d' ' -f1; }

# Starts `galaxynet serve` with any extra options; sets server (its PID) and port.
start_server() {
  "$galaxynet" serve --run "$run" --name model --tta "$tta" --port 0 "$@" > "$work/serve.log" 2>&1 &
  server=$!
  until grep -q "http://" "$work/serve.log"; do sleep 0.2; done
  port=$(grep -o '127.0.0.1:[0-9]*' "$work/serve.log" | head -1 | cut -d: -f2)
}

median() { echo "$@" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (a[int((NR+1)/2)] + a[int(NR/2)+1]) / 2}'; }
