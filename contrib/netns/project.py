#!/usr/bin/env python3
"""Projects data-parallel training of the winning net to N nodes from measured figures
(docs/distributed.md, "Across nodes"). Stated model, per update:

    per-node batch   b = b_node while the global batch b_node·N ≤ B_max, else B_max / N
    compute          T_c(b): one node's update at batch b (bench train; linear between measured b)
    gradient sum     T_sum(N) = 2(N−1)/N · S·8 / B_eff  +  k · 2(N−1) · α      (ring all-reduce)
    hidden           h · T_c(b): the backward pass still running when the first bucket is summed
    update           T_c(b) + max(0, T_sum(N) − h · T_c(b))
    images/s         N · b / update;  efficiency = images/s ÷ (N × one node's images/s at batch b_node)

S: the gradient bytes; B_eff: the bus bandwidth one update's sum reached between two nodes over
the link (bench gradient-sum, which includes the reduction's own CPU time); k: buckets per
update; α: per-message latency (assumed: this kernel has no netem to add delay); h: measured.
"""
import argparse, math

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--floats", type=int, default=42_377_125, help="gradients per update (the best model)")
p.add_argument("--bucket-floats", type=int, default=4 << 20)
p.add_argument("--compute", default="4:87,8:119,16:165,32:291,64:529", help="b:ms pairs, one node's update at per-node batch b")
p.add_argument("--links", default="1 Gbit/s=0.45,10 Gbit/s=2.93,25 Gbit/s=4.23,25 Gbit/s at line rate=22.5",
               help="link=bus bandwidth in Gbit/s, measured (or, the last, an assumed ceiling)")
p.add_argument("--hidden", type=float, default=0.25, help="h, the hidden share of an update's compute")
p.add_argument("--latency-us", type=float, default=25.0, help="α, per message")
p.add_argument("--node-batch", type=int, default=16, help="b_node, images per node and update (the original's batch)")
p.add_argument("--max-global-batch", type=int, default=256, help="B_max, where the scaled learning-rate rule is trusted")
p.add_argument("--nodes", default="1,2,4,8,16,32,64")
a = p.parse_args()

compute = sorted((int(b), float(ms) / 1000) for b, ms in (x.split(":") for x in a.compute.split(",")))
links = [(name, float(bw)) for name, bw in (x.split("=") for x in a.links.split(","))]

def t_c(b):
    """One node's update at batch b, linear between (and beyond) the measured batches."""
    for (b0, t0), (b1, t1) in zip(compute, compute[1:]):
        if b <= b1 or (b1, t1) == compute[-1]:
            return t0 + (t1 - t0) * (b - b0) / (b1 - b0)

buckets = math.ceil(a.floats / a.bucket_floats)
one_node = a.node_batch / t_c(a.node_batch)
head = "| nodes | per-node batch | global batch |" + "".join(f" {name}: sum, ms | images/s | efficiency |" for name, _ in links)
print(head)
print("|" + "---:|" * (3 + 3 * len(links)))
for n in map(int, a.nodes.split(",")):
    b = a.node_batch if a.node_batch * n <= a.max_global_batch else a.max_global_batch / n
    row = f"| {n} | {b:g} | {n * b:g} |"
    for _, bw in links:
        t_sum = 0.0 if n == 1 else 2 * (n - 1) / n * a.floats * 32 / (bw * 1e9) + buckets * 2 * (n - 1) * a.latency_us * 1e-6
        update = t_c(b) + max(0.0, t_sum - a.hidden * t_c(b))
        rate = n * b / update
        row += f" {1000 * t_sum:.0f} | {rate:.0f} | {rate / (n * one_node):.2f} |"
    print(row)
