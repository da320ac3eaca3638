"""Scores similarity and anomaly search against a mock universe's truth (bench/reuse-similarity.sh).

Similarity: for each true class, the share of each galaxy's 10 nearest neighbours that share its
class, against the class's base rate in the population it is defined in (every galaxy for the
shape; face-on disks for bar / no bar, where a neighbour that is not a face-on disk counts as a
miss). Anomalies: the
share of the top 50 that are odd, against the share of odd galaxies in the whole table.
"""
import csv, sys

truth_path, neighbours_path, anomalies_path = sys.argv[1:4]
truth = {int(r["GalaxyID"]): r for r in csv.DictReader(open(truth_path))}

def shape(r):
    if r["kind"] in ("star", "artifact"): return "star-artifact"
    if r["kind"] == "smooth": return "smooth"
    return "edge-on" if float(r["axis_ratio"]) < 0.3 else "featured"

def bar(r):
    if r["kind"] != "disk" or float(r["axis_ratio"]) < 0.3: return None   # only face-on disks can show a bar
    return "bar" if r["bar"] == "1" else "no bar"

def odd(r): return r["odd_feature"] != "none" or r["kind"] == "artifact"

rows = list(csv.DictReader(open(neighbours_path)))
k = sum(1 for c in rows[0] if c.startswith("neighbour_"))
print(f"Similarity: share of the {k} nearest neighbours in the query's true class ({len(rows)} queries)")
print(f"{'class':<16}{'queries':>8}{'neighbours same':>17}{'base rate':>11}{'lift':>7}")
for name, label in (("shape", shape), ("bar (face-on disks)", bar)):
    labels = {i: label(r) for i, r in truth.items()}
    pool = [labels[int(r["id"])] for r in rows if labels[int(r["id"])] is not None]
    for cls in sorted(set(pool)):
        queries = [r for r in rows if labels[int(r["id"])] == cls]
        # Neighbours of undefined class (a bar query's neighbour that is smooth) count as not sharing it.
        same = sum(labels[int(r[f"neighbour_{j}"])] == cls for r in queries for j in range(1, k + 1)) / (k * len(queries))
        # The base rate within the population the class is defined in (all galaxies; face-on disks for bars).
        base = sum(1 for r in rows if labels[int(r["id"])] == cls) / len(pool)
        print(f"{cls:<16}{len(queries):>8}{same:>17.3f}{base:>11.3f}{same / base:>7.1f}")

ranked = list(csv.DictReader(open(anomalies_path)))
top = [truth[int(r["id"])] for r in ranked]
all_rows = [truth[int(r["id"])] for r in rows]
for name, test in (("odd feature or artefact", odd), ("artefact or star", lambda r: r["kind"] in ("artifact", "star")),
                   ("odd, artefact or star", lambda r: odd(r) or r["kind"] == "star")):
    precision = sum(map(test, top)) / len(top)
    base = sum(map(test, all_rows)) / len(all_rows)
    print(f"Anomalies, {name}: precision in the top {len(top)} {precision:.2f}, base rate {base:.3f}, lift {precision / base:.1f}")
