#!/bin/bash
# Load on `galaxynet serve` from a bounded loopback client (wrk, Debian's package): 1, 4, 16 and 64
# concurrent clients, each request one image file; throughput and latency percentiles, against
# `galaxynet predict` over the same image at the same test-time augmentation, run before and
# after the load on the same machine. Then 100,000 requests with 16 clients while the server's
# resident memory is sampled.
#   bench/serve-load.sh GALAXYNET RUN IMAGE.jpg TTA [SECONDS] [nomemory]
set -euo pipefail
galaxynet=$1 run=$2 image=$3 tta=$4 seconds=${5:-20}
. "$(dirname "$0")/serve-common.sh"
before="$(predict_rate) $(predict_rate) $(predict_rate)"
start_server --max-batch 64
echo "| clients | requests/s = images/s | p50 ms | p99 ms | non-200 |"
echo "|---:|---:|---:|---:|---:|"
for clients in 1 4 16 64; do
  out=$(wrk -t "$(( clients < 2 ? 1 : 2 ))" -c "$clients" -d "${seconds}s" --timeout 30s --latency -s "$script" "http://127.0.0.1:$port")
  rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}'); p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  echo "| $clients | $rate | $p50 | $p99 | ${bad:-0} |"
done
# Memory over 100,000 requests with 16 clients: resident set sampled every 10 s.
if [ "${6:-}" != nomemory ]; then
  requests=0 start=$(date +%s)
echo "resident memory (MiB) while serving 100,000 requests with 16 clients:"
while [ "$requests" -lt 100000 ]; do
  out=$(wrk -t 2 -c 16 -d 10s --timeout 30s -s "$script" "http://127.0.0.1:$port")
  requests=$(( requests + $(echo "$out" | awk '/requests in/ {print $1}') ))
  echo "  after $requests requests ($(( $(date +%s) - start )) s): $(( $(ps -o rss= -p $server) / 1024 ))"
done
fi
# predict again once the server is gone (its memory and threads are not left to compete).
kill -TERM $server; wait $server || true; server=""
after="$(predict_rate) $(predict_rate) $(predict_rate)"
median=$(median $before $after)
echo "predict over the same image, three runs before the load and three after: $before / $after images/s (median $median)"
