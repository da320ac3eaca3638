#!/usr/bin/env python3
"""GalaxyNet's exact neighbour search against FAISS (IndexFlatIP on unit vectors), side by side,
interleaved, on the same embeddings file and the same number of threads.

Each round runs `galaxynet bench similar --embeddings FILE --json` and then FAISS on the same
file: one query against every row (median of --queries), and --batch-rows queries at once, k
neighbours each (FAISS is asked for k + 1: a row finds itself, which GalaxyNet leaves out).
FAISS gets its index built from unit vectors before the clock starts; GalaxyNet scales the rows
as it reads them, inside its timings. Prints every measurement and a Markdown table of medians
with the ratios (FAISS time / GalaxyNet time: above 1, GalaxyNet is faster).

    python3 -m pip install faiss-cpu
    python3 bench/similar-side-by-side.py --rows 1000000 --rounds 2
"""
import argparse, json, os, statistics, subprocess, tempfile, time
import numpy as np

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--galaxynet', default='.build/release/galaxynet')
ap.add_argument('--rows', type=int, default=1_000_000)
ap.add_argument('--dimensions', type=int, default=40)
ap.add_argument('-k', type=int, default=10)
ap.add_argument('--queries', type=int, default=5)
ap.add_argument('--batch-rows', type=int, default=4096)
ap.add_argument('--rounds', type=int, default=2)
args = ap.parse_args()

import faiss
threads = int(os.environ.get('OMP_NUM_THREADS', os.cpu_count()))
faiss.omp_set_num_threads(threads)
folder = tempfile.mkdtemp(prefix='similar-side-by-side-')
path = os.path.join(folder, 'embeddings.npy')
data = np.random.default_rng(1).standard_normal((args.rows, args.dimensions), dtype=np.float32)
np.save(path, data)
unit = data / np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-30)
index = faiss.IndexFlatIP(args.dimensions)
index.add(unit)

def galaxynet():
    out = subprocess.run([args.galaxynet, 'bench', 'similar', '--embeddings', path, '-k', str(args.k), '--queries', str(args.queries),
                          '--batch-rows', str(args.batch_rows), '--json'], check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    return r['medianQuerySeconds'], args.batch_rows / r['batchQueriesPerSecond']

def faiss_run():
    times = []
    for q in range(args.queries):
        start = time.perf_counter(); index.search(unit[q:q + 1], args.k + 1); times.append(time.perf_counter() - start)
    start = time.perf_counter(); index.search(unit[:args.batch_rows], args.k + 1); batch = time.perf_counter() - start
    return statistics.median(times), batch

results = {'galaxynet': [], 'faiss': []}
for r in range(args.rounds):
    for name, run in (('galaxynet', galaxynet), ('faiss', faiss_run)):
        single, batch = run()
        results[name].append((single, batch))
        print(f'round {r + 1} {name}: one query {single * 1000:.1f} ms, {args.batch_rows} queries {batch:.2f} s', flush=True)

print(f'\n{args.rows} × {args.dimensions}, k = {args.k}, {threads} threads, {args.rounds} interleaved rounds (medians):\n')
print('| | one query, ms | ' + f'{args.batch_rows} queries, s | every row, projected min |')
print('|---|---:|---:|---:|')
med = {n: [statistics.median(v[i] for v in results[n]) for i in (0, 1)] for n in results}
for n in results:
    print(f'| {n} | {med[n][0] * 1000:.1f} | {med[n][1]:.2f} | {med[n][1] / args.batch_rows * args.rows / 60:.1f} |')
print(f'| FAISS / GalaxyNet | {med["faiss"][0] / med["galaxynet"][0]:.2f}× | {med["faiss"][1] / med["galaxynet"][1]:.2f}× | |')
os.remove(path); os.rmdir(folder)
