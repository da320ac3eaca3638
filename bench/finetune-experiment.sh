#!/bin/bash
# Finetuning acceptance of #26 on a mock universe: a binary question (bar / no bar, from
# truth.csv) learnt from 100, 300 and 1,000 labelled training galaxies by (a) finetuning a
# trained run (top two blocks, layer decay 0.5), (b) the same network from random weights and
# (c) the linear probe (trunk frozen), each with three seeds; ROC AUC on the mock's test galaxies.
#   bench/finetune-experiment.sh GALAXYNET RUN MOCK OUT
set -euo pipefail
galaxynet=$1 run=$2 mock=$(cd "$3" && pwd) out=$4
mkdir -p "$out"
python3 - "$mock/truth.csv" "$out" <<'PY'
import csv, random, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["set"] == "training"]
random.Random(26).shuffle(rows)
for n in (100, 300, 1000):
    with open(f"{sys.argv[2]}/labels-{n}.csv", "w") as f:
        f.write("id,bar\n" + "".join(f"{r['GalaxyID']},{r['bar']}\n" for r in rows[:n]))
PY
for n in 100 300 1000; do
  for seed in 1 2 3; do
    for method in finetuned scratch probe; do
      name="$out/$method-$n-$seed"
      [ -f "$name.csv" ] && continue
      case $method in
        finetuned) extra=(--unfreeze 2) ;;
        scratch) extra=(--scratch) ;;
        probe) extra=(--unfreeze 0) ;;
      esac
      rm -rf "$name" "$name.dataset"
      "$galaxynet" finetune --from "$run" --labels "$out/labels-$n.csv" --images "$mock/images_training_rev1" --target bar --task binary \
        --seed "$seed" "${extra[@]}" --out "$name" > "$name.log" 2>&1
      "$galaxynet" predict --run "$name" --images "$mock/images_test_rev1" --tta 8 --out "$name.csv" >> "$name.log" 2>&1
      echo "$method $n $seed done"
    done
  done
done
python3 "$(dirname "$0")/finetune_auc.py" "$mock/truth.csv" "$out"
