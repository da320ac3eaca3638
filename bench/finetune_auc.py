"""ROC AUC of each finetune of bench/finetune-experiment.sh on the mock's test galaxies: mean
and spread over the seeds per method and number of labels, as a table and as auc.csv."""
import csv, glob, os, statistics, sys

truth = {r["GalaxyID"]: int(r["bar"]) for r in csv.DictReader(open(sys.argv[1])) if r["set"] == "test"}
out = sys.argv[2]

def auc(scores):
    """Mann-Whitney: the chance a barred galaxy scores above an unbarred one (ties count half)."""
    pairs = sorted((s, truth[i]) for i, s in scores.items())
    rank, ranks, k = 0, {}, 0
    while k < len(pairs):
        j = k
        while j < len(pairs) and pairs[j][0] == pairs[k][0]: j += 1
        for m in range(k, j): ranks[m] = (k + j + 1) / 2
        k = j
    positives = sum(t for _, t in pairs)
    negatives = len(pairs) - positives
    total = sum(ranks[m] for m, (_, t) in enumerate(pairs) if t)
    return (total - positives * (positives + 1) / 2) / (positives * negatives)

results = {}
for path in glob.glob(f"{out}/*-*-*.csv"):
    method, n, seed = os.path.basename(path)[:-4].rsplit("-", 2)
    if method == "labels": continue
    rows = list(csv.DictReader(open(path)))
    results.setdefault((method, int(n)), []).append(auc({r["GalaxyID"]: float(r["bar_1_fraction"]) for r in rows}))
methods = ["finetuned", "scratch", "probe"]
print(f"ROC AUC, bar / no bar, {len(truth)} test galaxies ({sum(truth.values())} barred); mean ± sd over seeds")
print(f"{'labels':>7}" + "".join(f"{m:>20}" for m in methods))
with open(f"{out}/auc.csv", "w") as f:
    f.write("labels," + ",".join(methods) + "\n")
    for n in sorted({n for _, n in results}):
        cells = [results.get((m, n), []) for m in methods]
        print(f"{n:>7}" + "".join(f"{statistics.mean(c):>13.3f} ± {statistics.stdev(c) if len(c) > 1 else 0:.3f}" if c else f"{'-':>20}" for c in cells))
        f.write(f"{n}," + ",".join(f"{statistics.mean(c):.4f}" if c else "" for c in cells) + "\n")
