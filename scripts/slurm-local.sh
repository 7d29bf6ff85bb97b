#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for tests and for trying `tern sweep --executor slurm`.
#
#   scripts/slurm-local.sh start   install what is missing (slurmctld slurmd slurm-client munge),
#                                  start munged (unless one runs), slurmctld and slurmd directly
#                                  (no systemd), wait until the node is idle
#   scripts/slurm-local.sh stop    stop exactly the daemons `start` started, by their pid files
#   scripts/slurm-local.sh status  print the pid files' daemons and `sinfo`
#
# State, logs, pid files and slurm.conf live in $TERN_SLURM_DIR (default /tmp/tern-slurm).
# Slurm's commands find the cluster through SLURM_CONF: after start,
#   export SLURM_CONF=$TERN_SLURM_DIR/slurm.conf
# Needs root (munged runs as the munge user, slurmd as root), as in CI.
set -euo pipefail

DIR="${TERN_SLURM_DIR:-/tmp/tern-slurm}"
CONF="$DIR/slurm.conf"
say() { echo "slurm-local: $*"; }
die() { echo "slurm-local: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

alive() { # pid-file
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

install_missing() {
  local missing=()
  have slurmctld || missing+=(slurmctld)
  have slurmd || missing+=(slurmd)
  have sbatch || missing+=(slurm-client)
  have munged || missing+=(munge)
  if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}: run as root to install them with apt-get"
    say "installing ${missing[*]} (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

write_conf() {
  local host cpus mem
  host="$(hostname -s)"
  cpus="$(nproc)"
  mem="$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)"
  cat >"$CONF" <<EOF
# written by scripts/slurm-local.sh: a one-node cluster, no systemd, no accounting
ClusterName=tern-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MaxArraySize=100001
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  install_missing
  mkdir -p "$DIR/state" "$DIR/spool"
  if alive "$DIR/slurmctld.pid" && alive "$DIR/slurmd.pid"; then
    say "already running (pid files in $DIR)"
  else
    write_conf
    export SLURM_CONF="$CONF"
    if ! pgrep -x munged >/dev/null; then
      [ -f /etc/munge/munge.key ] || mungekey --create >/dev/null
      chown munge:munge /etc/munge/munge.key 2>/dev/null || true
      install -d -o munge -g munge -m 0755 /run/munge
      runuser -u munge -- munged --pid-file=/run/munge/munged.pid
      cp /run/munge/munged.pid "$DIR/munged.pid"
      say "started munged (pid $(cat "$DIR/munged.pid"))"
    else
      say "munged already running: using it (stop will leave it)"
    fi
    alive "$DIR/slurmctld.pid" || slurmctld -c -f "$CONF"
    alive "$DIR/slurmd.pid" || slurmd -c -f "$CONF"
  fi
  export SLURM_CONF="$CONF"
  for _ in $(seq 1 60); do
    state="$(sinfo -h -N -o %t 2>/dev/null | head -n1 || true)"
    case "$state" in
      idle*|mix*|alloc*) say "node $(hostname -s) is $state; export SLURM_CONF=$CONF"; return 0 ;;
      down*|drain*) scontrol update nodename="$(hostname -s)" state=resume 2>/dev/null || true ;;
    esac
    sleep 0.5
  done
  die "the node did not come up within 30 s; see $DIR/slurmctld.log and $DIR/slurmd.log"
}

stop() {
  local any=0
  for d in slurmd slurmctld munged; do
    local pf="$DIR/$d.pid"
    if alive "$pf"; then
      local pid
      pid="$(cat "$pf")"
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
      say "stopped $d (pid $pid)"
      any=1
    fi
    rm -f "$pf"
  done
  [ "$any" -eq 1 ] || say "nothing to stop (no live pid file in $DIR)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    for d in munged slurmctld slurmd; do
      if alive "$DIR/$d.pid"; then say "$d running (pid $(cat "$DIR/$d.pid"))"; else say "$d not started here"; fi
    done
    SLURM_CONF="$CONF" sinfo 2>/dev/null || true
    ;;
  *) echo "usage: scripts/slurm-local.sh start|stop|status (state in \$TERN_SLURM_DIR, default /tmp/tern-slurm)" >&2; exit 2 ;;
esac
