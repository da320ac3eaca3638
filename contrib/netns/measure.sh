#!/bin/bash
# The cross-node table of docs/distributed.md: for an unshaped link and links of 25, 10 and 1
# Gbit/s between two-nodes.sh's namespaces, one update's gradient sum alone (bench
# gradient-sum) and a 2-rank training run's wait for the sums after the backward pass, and the
# same training in one process on one CPU. Each rank and the single process have one CPU and
# one thread.
#   measure.sh [GALAXYNET] [STEPS]     (default: galaxynet on PATH, 16 updates of --model best)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
galaxynet=$(command -v "${1:-galaxynet}"); steps=${2:-16}
work=$(mktemp -d /tmp/galaxynet-netns.XXXXXX)
trap '"$here/two-nodes.sh" down; rm -rf "$work"' EXIT
"$galaxynet" mock --count 400 --test-count 4 --seed 5 --out "$work/mock" >/dev/null
train=(train --data "$work/mock" --model best --steps "$steps" --workers 1)
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
single=$(taskset -c 0 "$galaxynet" "${train[@]}" --out "$work/single" | grep -o '[0-9.]* images/s' | tail -1)
echo "1 process, 1 CPU: $single"
echo
echo "| link (each way) | gradient sum alone, ms (median of 3) | bus bandwidth, Gbit/s | wait after the backward pass, ms/update | hidden share | update, ms | 2 ranks, images/s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for rate in "" 25 10 1; do
    "$here/two-nodes.sh" up $rate >/dev/null
    sum=$("$here/two-nodes.sh" mpirun -x OMP_NUM_THREADS -x OPENBLAS_NUM_THREADS -- "$galaxynet" bench gradient-sum --repeats 3 | tail -1)
    run=$("$here/two-nodes.sh" mpirun -x OMP_NUM_THREADS -x OPENBLAS_NUM_THREADS -- "$galaxynet" "${train[@]}" --out "$work/run-${rate:-none}")
    alone=$(sed -E 's/.*median ([0-9.]+) ms.*/\1/' <<<"$sum"); bus=$(sed -E 's/.*, ([0-9.]+) Gbit\/s bus.*/\1/' <<<"$sum")
    wait=$(sed -nE 's/.*: ([0-9.]+) ms per update waiting.*/\1/p' <<<"$run"); update=$(sed -nE 's/.*waiting for gradient sums after the backward pass, of ([0-9.]+) ms/\1/p' <<<"$run")
    rate2=$(grep -o '[0-9.]* images/s' <<<"$run" | tail -1)
    hidden=$(awk -v a="$alone" -v w="$wait" 'BEGIN { h = 1 - w / a; printf "%.0f %%", 100 * (h < 0 ? 0 : h) }')
    link="veth, unshaped"; [ -n "$rate" ] && link="$rate Gbit/s"
    echo "| $link | $alone | $bus | $wait | $hidden | $update | ${rate2% images/s} |"
done
