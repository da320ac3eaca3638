#!/bin/bash
# Two "nodes" on one machine, for measuring GalaxyNet's gradient sums over a real TCP/IP stack:
# network namespaces gn-node0 and gn-node1 joined by a veth pair (10.77.0.1 ↔ 10.77.0.2), each
# direction shaped by tc netem (a rate and a one-way delay), each node with its own host name
# (a UTS namespace). Open MPI's mpirun runs in node0 and starts node1's daemon through
# netns-rsh (its "ssh"), so the ranks talk TCP over the shaped link, as between two machines.
# Rank n runs on CPU n alone (taskset; mpirun's own binding is off: each daemon would bind its
# rank to "its" node's core 0, the same core for both). The nodes still share this machine's memory and
# its kernel does the packet work of both: see docs/distributed.md.
#
#   two-nodes.sh up [GBIT]         e.g. up 10: each direction limited to 10 Gbit/s (tc tbf); no
#                                  argument: an unshaped veth
#   two-nodes.sh mpirun [MPIRUN OPTIONS…] -- COMMAND…
#                                  COMMAND as rank 0 on node0 and rank 1 on node1, over TCP
#   two-nodes.sh down
# Needs root, iproute2 (ip, tc), util-linux (unshare); prints "skip: …" and exits 3 without them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?up|mpirun|down}; shift
[ "$(id -u)" = 0 ] || { echo "skip: network namespaces need root"; exit 3; }
for b in ip tc unshare; do command -v $b >/dev/null || { echo "skip: $b is not installed"; exit 3; }; done

down() {
    ip netns del gn-node0 2>/dev/null || true
    ip netns del gn-node1 2>/dev/null || true
    rm -rf /etc/netns/gn-node0 /etc/netns/gn-node1
}

case $cmd in
up)
    down
    for n in 0 1; do
        ip netns add gn-node$n
        ip -n gn-node$n link set lo up
        # Host names resolve inside the nodes (ip netns exec bind-mounts this file over /etc/hosts).
        mkdir -p /etc/netns/gn-node$n
        printf '127.0.0.1 localhost\n10.77.0.1 node0\n10.77.0.2 node1\n' > /etc/netns/gn-node$n/hosts
    done
    ip link add gn-veth0 netns gn-node0 type veth peer name gn-veth1 netns gn-node1
    for n in 0 1; do
        ip -n gn-node$n addr add 10.77.0.$((n + 1))/24 dev gn-veth$n
        ip -n gn-node$n link set gn-veth$n up
        if [ $# -ge 1 ]; then
            # Each direction: a token bucket at the rate, its burst 1 ms of the rate (at least a
            # 64 KB segment), its queue 50 ms. (This kernel has no netem, so no delay is added.)
            burst=$(( $1 * 125000 > 65536 ? $1 * 125000 : 65536 ))
            tc -n gn-node$n qdisc add dev gn-veth$n root tbf rate "$1gbit" burst "$burst" latency 50ms
        fi
    done
    ip -n gn-node0 link show gn-veth0 | grep -q "state UP\|LOWER_UP" || { echo "the link did not come up"; down; exit 1; }
    echo "two nodes up: node0 10.77.0.1, node1 10.77.0.2${1:+, $1 Gbit/s each way}"
    ;;
mpirun)
    options=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do options+=("$1"); shift; done
    [ "${1:-}" = -- ] || { echo "usage: two-nodes.sh mpirun [MPIRUN OPTIONS…] -- COMMAND…"; exit 2; }
    shift
    exec ip netns exec gn-node0 unshare --uts /bin/bash -c 'hostname node0; exec "$@"' - \
        mpirun --allow-run-as-root --bind-to none -np 2 --host node0,node1 --mca plm_rsh_agent "$here/netns-rsh" \
        --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 "${options[@]}" \
        /bin/sh -c 'exec taskset -c "$OMPI_COMM_WORLD_RANK" "$@"' - "$@"
    ;;
down) down ;;
*) echo "usage: two-nodes.sh up [GBIT] | mpirun [OPTIONS…] -- COMMAND… | down"; exit 2 ;;
esac
