#!/usr/bin/env python3
"""GalaxyNet against the PyTorch peer kit, side by side, interleaved, on one machine.

Each round runs, one after the other: `galaxynet bench train` twice (the update alone on one
batch, `--input fixed`, which is the peer's workload: it trains on one random batch; then with
realtime augmentation, whose workers share the cores), the peer's best training configuration,
`galaxynet bench predict --tta 60`, the peer's inference, and `galaxynet bench kernels` for the
sgemm rate and the ISA actually used. `--avx2` runs the whole thing with the
AVX2 emulation in both (DNNL_MAX_CPU_ISA, OPENBLAS_CORETYPE; MKL_ENABLE_INSTRUCTIONS and
ATEN_CPU_CAPABILITY for PyTorch). Prints every measurement, then a Markdown table of medians with
the ratios. Only ratios measured together mean anything: these machines drift by 15 % or more.

    python3 bench/side-by-side.py --peer ../shared/bench/peer --python venv-peer/bin/python --rounds 2
    python3 bench/side-by-side.py ... --avx2
"""
import argparse, json, os, platform, statistics, subprocess, sys

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--galaxynet', default='.build/release/galaxynet')
ap.add_argument('--peer', default='../shared/bench/peer', help='the peer kit folder (bench_torch.py)')
ap.add_argument('--python', default='venv-peer/bin/python', help='a Python with torch (see docs/performance.md)')
ap.add_argument('--tcmalloc', default='/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4')
ap.add_argument('--rounds', type=int, default=2)
ap.add_argument('--avx2', action='store_true', help='emulate an AVX2-only CPU in both')
ap.add_argument('--predict-images', type=int, default=16)
args = ap.parse_args()

env = dict(os.environ)
if args.avx2:
    env.update(DNNL_MAX_CPU_ISA='AVX2', OPENBLAS_CORETYPE='Haswell', MKL_ENABLE_INSTRUCTIONS='AVX2', ATEN_CPU_CAPABILITY='avx2')


def run(command, extra_env=None):
    e = dict(env, **(extra_env or {}))
    result = subprocess.run(command, env=e, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return result.stdout


def galaxynet(*arguments):
    return json.loads(run([args.galaxynet, 'bench', *arguments, '--json']))


def peer(what, *flags):
    preload = {'LD_PRELOAD': args.tcmalloc, 'WINDOW_S': '3'} if os.path.exists(args.tcmalloc) else {'WINDOW_S': '3'}
    out = run([args.python, os.path.join(args.peer, 'bench_torch.py'), '--threads', '2', '--what', what, '--windows', '5', *flags], preload)
    return {r['label']: r for r in (json.loads(line[7:]) for line in out.splitlines() if line.startswith('RESULT '))}


measured = {k: [] for k in ('train', 'train_realtime', 'peer_train', 'predict', 'peer_infer16', 'peer_infer64', 'sgemm')}
isa = blas = ''
for r in range(args.rounds):
    t = galaxynet('train', '--model', 'best', '--steps', '16', '--input', 'fixed')
    measured['train'].append(t['images_per_second'])
    t = galaxynet('train', '--model', 'best', '--steps', '16')
    measured['train_realtime'].append(t['images_per_second'])
    p = peer('train', '--fused', '--keep-grads')
    measured['peer_train'].append(p['train_b16']['items_per_s_median'])
    g = galaxynet('predict', '--model', 'best', '--tta', '60', '--count', str(args.predict_images))
    measured['predict'].append(g['transforms_per_second'])
    i = peer('infer')
    measured['peer_infer16'].append(i['infer_b16']['items_per_s_median'])
    measured['peer_infer64'].append(i['infer_b64']['items_per_s_median'])
    k = galaxynet('kernels', '--runs', '3', '--images', '1')
    measured['sgemm'].append(k['sgemm_gflops'])
    isa, blas = k['onednn_isa'], f"{k['blas_kernels']} ({k['blas_threading']})"
    print(f"round {r + 1}: " + ', '.join(f"{key} {values[-1]:.1f}" for key, values in measured.items()), flush=True)

median = {key: statistics.median(values) for key, values in measured.items()}
cpu = next((line.split(':', 1)[1].strip() for line in open('/proc/cpuinfo') if line.startswith('model name')), platform.processor())
print()
print(f"{cpu}, {os.cpu_count()} cores; oneDNN ISA {isa}, OpenBLAS {blas}; sgemm 4096³ {median['sgemm']:.0f} GFLOP/s; "
      f"medians of {args.rounds} interleaved rounds")
print()
print('| measurement | GalaxyNet | PyTorch | ratio |')
print('|---|---|---|---|')
print(f"| training, best model, batch 16, one batch for every update (images/s) | {median['train']:.1f} | "
      f"{median['peer_train']:.1f} | {median['train'] / median['peer_train']:.2f}× |")
print(f"| training as GalaxyNet trains, realtime augmentation on the same cores (the peer has none) | "
      f"{median['train_realtime']:.1f} | {median['peer_train']:.1f} | {median['train_realtime'] / median['peer_train']:.2f}× |")
best_infer = max(median['peer_infer16'], median['peer_infer64'])
print(f"| prediction, forward passes/s (GalaxyNet: 60-way TTA with decode and warps; PyTorch: forward only, "
      f"best of batch 16/64) | {median['predict']:.1f} | {best_infer:.1f} | {median['predict'] / best_infer:.2f}× |")
