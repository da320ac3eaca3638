#!/bin/bash
# A real single-node Slurm, for the tests and to try the scripts here on one machine: munge and slurmctld/slurmd from Debian's slurm-wlm,
# run as root with their state, logs and a generated slurm.conf in one folder.
#   local-cluster.sh start DIR   — writes DIR/slurm.conf, starts the daemons, waits for the node
#   local-cluster.sh stop DIR    — stops them (the folder stays for its logs)
# Prints "skip: REASON" and exits 3 where it cannot run (not root, packages missing).
set -u
cmd=${1:?start|stop}; dir=$(realpath -m "${2:?folder}")
export SLURM_CONF=$dir/slurm.conf

stop() {
    for d in slurmd slurmctld; do
        [ -f "$dir/$d.pid" ] && kill "$(cat "$dir/$d.pid")" 2>/dev/null
    done
    for _ in $(seq 50); do
        pgrep -f "$SLURM_CONF" >/dev/null || break; sleep 0.1
    done
    pkill -9 -f "$SLURM_CONF" 2>/dev/null  # what did not stop on TERM (a daemon started with TERM blocked)
    [ -f "$dir/munged.pid" ] && kill -9 "$(cat "$dir/munged.pid")" 2>/dev/null
    return 0
}

# Starts a daemon with every signal unblocked (a parent such as a test runner may have blocked
# them, and a daemon and the job steps it starts inherit the mask: SIGTERM before a time limit
# would never arrive) and with its standard streams in DIR/NAME.out, so nobody waits on a pipe
# the daemon keeps open.
daemon() {
    local name=$1; shift
    perl -MPOSIX -e 'sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die "sigprocmask: $!"; exec @ARGV or die "$ARGV[0]: $!"' "$@" \
        </dev/null >"$dir/$name.out" 2>&1 || { echo "$name did not start:"; cat "$dir/$name.out" "$dir/$name.log" 2>/dev/null | tail -20; return 1; }
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$(id -u)" = 0 ] || { echo "skip: the Slurm tests start slurmctld and slurmd as root; this user is $(id -un)"; exit 3; }
for b in slurmctld slurmd munged sbatch; do
    command -v $b >/dev/null || [ -x /usr/sbin/$b ] || { echo "skip: $b is not installed (Debian packages slurm-wlm and munge; make test installs them as root)"; exit 3; }
done
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
host=$(hostname -s); cpus=$(nproc)
mem=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
# munge: a private key and socket, so no system daemon is needed or disturbed.
[ -f "$dir/munge/munge.key" ] || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 700 "$dir/munge"; chmod 400 "$dir/munge/munge.key"
daemon munged /usr/sbin/munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/seed" || exit 1
cat > "$SLURM_CONF" <<CONF
ClusterName=galaxynet-test
SlurmctldHost=$host
SlurmctldPort=${SLURMCTLD_PORT:-16817}
SlurmdPort=${SLURMD_PORT:-16818}
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
KillWait=10
MinJobAge=600
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
daemon slurmctld /usr/sbin/slurmctld -f "$SLURM_CONF" || { stop; exit 1; }
daemon slurmd /usr/sbin/slurmd -f "$SLURM_CONF" || { stop; exit 1; }
for _ in $(seq 100); do
    state=$(sinfo -h -N -o %t 2>/dev/null | head -1)
    case "$state" in idle*|mix*|alloc*) echo "slurm up: node $host, $cpus CPUs, SLURM_CONF=$SLURM_CONF"; exit 0;; esac
    sleep 0.2
done
echo "the node did not come up (state: ${state:-none})"; tail -20 "$dir/slurmctld.log" "$dir/slurmd.log"; stop; exit 1
