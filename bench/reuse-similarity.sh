#!/bin/bash
# Similarity and anomaly acceptance of #26 on a mock universe (truth.csv holds each galaxy's
# true morphology): embed every galaxy with a trained run, list each one's 10 nearest
# neighbours and rank the oddest, then score both against the truth (bench/reuse_tables.py).
#   bench/reuse-similarity.sh GALAXYNET RUN MOCK OUT [PCA]
set -euo pipefail
galaxynet=$1 run=$2 mock=$(cd "$3" && pwd) out=$4 pca=${5:-40}
mkdir -p "$out"
python3 - "$mock" "$out/universe.csv" <<'PY'
import csv, os, sys
mock, path = sys.argv[1], sys.argv[2]
with open(path, "w", newline="") as f:
    w = csv.writer(f); w.writerow(["id", "file"])
    for folder in ("images_training_rev1", "images_test_rev1"):
        for name in sorted(os.listdir(os.path.join(mock, folder))):
            w.writerow([name[:-4], os.path.join(mock, folder, name)])
PY
"$galaxynet" embed --run "$run" --catalog "$out/universe.csv" --tta 8 --pca "$pca" --out "$out/embeddings.npy"
"$galaxynet" similar --embeddings "$out/embeddings.npy" --all -k 10 --out "$out/neighbours.csv"
"$galaxynet" anomalies --embeddings "$out/embeddings.npy" --top 50 -k 10 --out "$out/anomalies.csv"
python3 "$(dirname "$0")/reuse_tables.py" "$mock/truth.csv" "$out/neighbours.csv" "$out/anomalies.csv"
