#!/usr/bin/env python3
"""Wall-clock time to accuracy: each run's seconds to reach a target validation RMSE.

The target is the mean final validation RMSE of the reference runs (the faithful recipe's
seeds). A run's clock at each logged step is rebuilt from its log.jsonl (every 10 updates it
records images/s over the last 10 updates, validation included), plus its start-up (the wall
clock measured around the whole run, in a `wall.txt` line "NAME SECONDS s", less the logged sum).
Runs are one at a time on one machine (docs/time-to-accuracy.md says how they were made).

    python3 bench/time-to-accuracy.py --reference faithful-s1,faithful-s2,faithful-s3 \\
        --runs fast-s1,fast-s2,fast-s3 --wall wall.txt
"""
import argparse, json, os, statistics, sys

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--reference', required=True, help='run folders whose mean final validation RMSE is the target')
ap.add_argument('--runs', required=True, help='run folders to time against it')
ap.add_argument('--wall', required=True, help='lines "NAME SECONDS s": the wall clock around each whole run')
args = ap.parse_args()

wall = {}
for line in open(args.wall):
    parts = line.split()
    if len(parts) >= 2:
        wall[os.path.basename(parts[0])] = float(parts[1])


def clock(run):
    """[(step, images, seconds since start, validation RMSE)] at each validation, and the total."""
    for name in ('run.json', 'log.jsonl'):
        if not os.path.isfile(os.path.join(run, name)):
            sys.exit(f"{run}: no {name} — not a training run folder")
    batch = json.load(open(os.path.join(run, 'run.json')))['batchSize']
    seconds, previous, points, logged = 0.0, 0, [], []
    for line in open(os.path.join(run, 'log.jsonl')):
        record = json.loads(line)
        seconds += (record['step'] - previous) * batch / record['images_per_second']
        previous = record['step']
        logged.append(seconds)
        if 'validation_rmse' in record:
            points.append((record['step'], record['step'] * batch, seconds, record['validation_rmse']))
    if not points:
        sys.exit(f"{run}: no validation in its log.jsonl yet")
    name = os.path.basename(run.rstrip('/'))
    if name not in wall:
        print(f"note: {name} has no line in {args.wall}: its clock is the logged updates alone, without start-up", file=sys.stderr)
    start_up = wall[name] - seconds if name in wall else 0.0
    return [(s, i, t + start_up, r) for s, i, t, r in points], wall.get(name, seconds)


references, runs = args.reference.split(','), args.runs.split(',')
clocks = {run: clock(run) for run in dict.fromkeys(references + runs)}
target = statistics.mean(clocks[r][0][-1][3] for r in references)
reference_wall = statistics.mean(clocks[r][1] for r in references)
print(f"target: validation RMSE {target:.4f} (mean final of {', '.join(references)}); "
      f"their mean wall clock {reference_wall:.0f} s")
print()
print('| run | images | wall clock (s) | final RMSE | images to the target | seconds to the target | share of the faithful wall clock |')
print('|---|---|---|---|---|---|---|')
def row(name, points, total):
    reached = next(((i, t) for _, i, t, r in points if r <= target), None)
    images, seconds = reached if reached else (None, None)
    print(f"| {name} | {points[-1][1]:,} | {total:.0f} | {points[-1][3]:.4f} | "
          f"{f'{images:,}' if images else 'not reached'} | {f'{seconds:.0f}' if seconds else '—'} | "
          f"{f'{100 * seconds / reference_wall:.0f} %' if seconds else '—'} |")


for run in references + runs:
    row(os.path.basename(run), *clocks[run])
# The recipe rather than one seed: the runs' mean validation RMSE at each validation, on their mean clock.
timed = [clocks[run] for run in runs]
if len(timed) > 1 and len({len(p) for p, _ in timed}) == 1:
    mean = [(p[0][0], p[0][1], statistics.mean(x[2] for x in p), statistics.mean(x[3] for x in p)) for p in zip(*(p for p, _ in timed))]
    row(f"mean of {len(timed)} runs", mean, statistics.mean(t for _, t in timed))
