#!/bin/bash
# The acceptance ratio of docs/serving.md: served images/s with 16 concurrent clients against
# `galaxynet predict`'s images/s over the same image at the same test-time augmentation, in
# interleaved rounds (predict, then 15 s of load, three times) with the server up throughout
# (idle between loads); medians and their ratio.
#   bench/serve-rounds.sh GALAXYNET RUN IMAGE.jpg TTA [ROUNDS]
set -euo pipefail
galaxynet=$1 run=$2 image=$3 tta=$4 rounds=${5:-3}
. "$(dirname "$0")/serve-common.sh"
start_server
predicted="" served=""
for r in $(seq 1 "$rounds"); do
  predicted="$predicted $(predict_rate)"
  served="$served $(wrk -t 2 -c 16 -d 15s --timeout 30s -s "$script" "http://127.0.0.1:$port" | awk '/Requests\/sec/ {print $2}')"
done
p=$(median $predicted) s=$(median $served)
echo "TTA $tta: predict$predicted images/s (median $p); served, 16 clients:$served (median $s); served/predict $(awk "BEGIN {printf \"%.2f\", $s / $p}")"
