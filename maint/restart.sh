#!/usr/bin/env bash
# Overlap restart without systemd: start a new MaintProxy beside the running one (both bind the
# public port with SO_REUSEPORT), wait until the new one is ready, then tell the old one to drain.
# See --help.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pid_file=${MAINTPROXY_PID_FILE:-}
old_pid=""
timeout_s=${MAINTPROXY_TIMEOUT:-30}
sentinel=${MAINTPROXY_SENTINEL:-}
log_file=""
wait_old=0
new_command=()

die() { # status message...
  local status=$1; shift
  printf 'restart: %s\n' "$*" >&2
  exit "$status"
}

usage() {
  cat <<EOF
Usage: maint/restart.sh [--pid-file FILE | --pid PID] [options] [-- COMMAND...]

Restarts a running MaintProxy without refusing a connection. A new process is
started beside the old one; both listen on the same ports (SO_REUSEPORT, so the
running proxy must have Lifetime:ReusePort set to true). Once the new process
is ready (its configuration loaded, the maintenance state read, its listeners
bound) the old one gets SIGTERM: it stops accepting, finishes the requests it
has in flight (long downloads included, up to its Lifetime:DrainTimeout) and
exits. Connections arriving meanwhile are served by the new process.

The new process runs the old one's command line in the old one's working
directory with the old one's environment, unless a COMMAND is given after --.
It is told (--Lifetime:PidFile) to write its process id to the PID file once
it is ready; that is how this script knows it is ready. It is also told
(--Lifetime:Predecessors) which processes it replaces, so that down.sh --drain
waits for them to finish their requests too.

While both processes listen, down.sh and up.sh wait: from before the new process
starts until the old one has closed its listeners (it drains), this script holds
the lock they take on the sentinel's folder. Either process may answer the admin
port then, and the one that did not confirm would apply the change only when its
file notification comes. The sentinel is found as down.sh finds it: --sentinel,
else \$MAINTPROXY_SENTINEL, else the file the proxy at \$MAINTPROXY_ADMIN_URL
reports, else maint/down.

Options:
  --pid-file FILE   The running proxy's PID file (its Lifetime:PidFile). The
                    new process writes the same file.
                    Default: \$MAINTPROXY_PID_FILE, else maint/maintproxy.pid.
  --pid PID         The running proxy's process id, when it has no PID file;
                    the new process then writes a temporary one.
  --timeout SECONDS How long to wait for the new process to be ready
                    (default ${timeout_s}).
  --log FILE        Where the new process's output goes (appended). Default:
                    the old process's output file if it appends to one (>>),
                    else a new temporary file (mktemp -t), whose name is printed.
  --wait            Also wait until the old process has drained and exited.
  --sentinel FILE   The sentinel whose folder is locked during the overlap
                    (see above).
  -h, --help        This text.

Linux caveat: connections that are already in the old process's accept queue
when it closes its listener are reset, unless net.ipv4.tcp_migrate_req=1, which
moves them to the new process's listener. This script warns when it is 0.

A process that is already draining (it listens on no port any more, and the
proxy removes its PID file when it starts draining) is left alone: it is not
signalled, since a second SIGTERM would cut its requests short, and no new
process is started (exit status 1).

Exit status: 0 the new process serves and the old one drains (or, with --wait,
has exited); 1 the restart failed or the old process was already draining (the
old process is left as it was, a new process that never became ready is
stopped); 2 bad usage.
EOF
}

while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --pid-file) [ $# -ge 2 ] || die 2 "--pid-file needs a path"; pid_file=$2; shift ;;
    --pid-file=*) pid_file=${1#*=} ;;
    --pid) [ $# -ge 2 ] || die 2 "--pid needs a process id"; old_pid=$2; shift ;;
    --pid=*) old_pid=${1#*=} ;;
    --timeout) [ $# -ge 2 ] || die 2 "--timeout needs a number of seconds"; timeout_s=$2; shift ;;
    --timeout=*) timeout_s=${1#*=} ;;
    --log) [ $# -ge 2 ] || die 2 "--log needs a path"; log_file=$2; shift ;;
    --log=*) log_file=${1#*=} ;;
    --wait) wait_old=1 ;;
    --sentinel) [ $# -ge 2 ] || die 2 "--sentinel needs a path"; sentinel=$2; shift ;;
    --sentinel=*) sentinel=${1#*=} ;;
    --) shift; new_command=("$@"); break ;;
    *) die 2 "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ $timeout_s =~ ^[0-9]+$ ]] || die 2 "--timeout takes whole seconds, not '$timeout_s'"
[ -z "$old_pid" ] || [ -z "$pid_file" ] || die 2 "give --pid or --pid-file, not both"

if [ -z "$old_pid" ]; then
  pid_file=${pid_file:-$root/maint/maintproxy.pid}
  [ -r "$pid_file" ] || die 1 "no PID file at $pid_file: is MaintProxy running with Lifetime:PidFile set to it? (or pass --pid) A proxy that drains removes it: nothing to restart then, the process that wrote it is already on its way out"
  old_pid=$(tr -dc '0-9' <"$pid_file")
  [ -n "$old_pid" ] || die 1 "$pid_file holds no process id"
  ready_file=$(realpath -m -- "$pid_file")
else
  [[ $old_pid =~ ^[0-9]+$ ]] || die 2 "--pid takes a process id, not '$old_pid'"
  ready_file=$(mktemp -t maintproxy.ready.XXXXXX)
  rm -f -- "$ready_file"
fi
[ -e "/proc/$old_pid" ] || die 1 "process $old_pid is not running (stale PID file?); start MaintProxy normally instead"
[ -r "/proc/$old_pid/environ" ] && [ -r "/proc/$old_pid/fd" ] || die 1 "cannot read /proc/$old_pid: run as the user who runs MaintProxy"

# True while the process holds a listening TCP socket. A proxy closes all of its listeners as soon
# as it starts draining, so one without any does not serve: it drains (a second SIGTERM would cut
# its requests short) or has not finished starting.
# Neither read is a snapshot: find fails when a connection closes while it reads the folder, and
# /proc/net/tcp can skip an entry while sockets come and go. So only three reads in a row without a
# listener count; a process that closed its listeners never opens them again.
listening() { # pid
  local sockets _ st inode try
  for try in 1 2 3; do
    [ "$try" = 1 ] || sleep 0.05
    sockets=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null || true)
    while read -r _ _ _ st _ _ _ _ _ inode _; do
      [ "$st" = 0A ] && [[ $'\n'$sockets$'\n' == *$'\n'"socket:[$inode]"$'\n'* ]] && return 0
    done < <(cat "/proc/$1/net/tcp" "/proc/$1/net/tcp6" 2>/dev/null)
  done
  return 1
}
# The listening sockets (socket:[INODE]) the process holds, one a line.
listening_sockets() { # pid
  local sockets
  sockets=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null) || return 0
  awk 'NR == FNR { held[$0]; next } $4 == "0A" && ("socket:[" $10 "]") in held { print "socket:[" $10 "]" }' \
    <(printf '%s\n' "$sockets") "/proc/$1/net/tcp" "/proc/$1/net/tcp6" 2>/dev/null || true
}
# True while the process still holds one of these sockets: a listener it closes leaves its fds. A read
# of the fds that fails (a connection closed meanwhile) counts as still holding them.
holds_any() { # pid sockets
  local held socket
  held=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null) || return 0
  for socket in $2; do
    [[ $'\n'$held$'\n' != *$'\n'"$socket"$'\n'* ]] || return 0
  done
  return 1
}
listening "$old_pid" \
  || die 1 "process $old_pid listens on no port: it is draining already (it got SIGTERM) or still starting. Nothing was done: it was not signalled and no new process was started. Let it finish; if no proxy serves, start MaintProxy normally"

if [ "$(sysctl -n net.ipv4.tcp_migrate_req 2>/dev/null || echo 0)" != 1 ]; then
  echo "restart: warning: net.ipv4.tcp_migrate_req is not 1, so connections queued on the old listener at the moment it closes are reset; as root: sysctl -w net.ipv4.tcp_migrate_req=1" >&2
fi

old_cwd=$(readlink "/proc/$old_pid/cwd")
old_env=()
mapfile -d '' old_env <"/proc/$old_pid/environ"
if [ ${#new_command[@]} -eq 0 ]; then
  mapfile -d '' new_command <"/proc/$old_pid/cmdline"
fi
# The start time of a process that still runs (field 22 of /proc/PID/stat), in $REPLY: with its id,
# it tells the process from a later one given the same id.
start_time() { # pid
  local stat fields
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  read -ra fields <<<"$stat"
  [ "${fields[0]}" != Z ] || return 1
  REPLY=${fields[19]}
}

# The processes the new one tells down.sh --drain to wait for: the old one, and those an earlier
# restart replaced that still run (they may still be finishing requests), as PID:STARTTIME.
predecessors=""
mapfile -d '' old_cmdline <"/proc/$old_pid/cmdline"
for arg in "${old_cmdline[@]}"; do
  [[ $arg == --Lifetime:Predecessors=* ]] || continue
  IFS=, read -ra entries <<<"${arg#*=}"
  for entry in "${entries[@]}"; do
    if start_time "${entry%%:*}" && [ "$REPLY" = "${entry#*:}" ]; then predecessors+="$entry,"; fi
  done
done
start_time "$old_pid" || die 1 "process $old_pid has exited; start MaintProxy normally instead"
predecessors+="$old_pid:$REPLY"

# The new process reports readiness through the PID file; drop an earlier restart's overrides.
command=()
for arg in "${new_command[@]}"; do
  case $arg in --Lifetime:PidFile=*|--Lifetime:Predecessors=*) ;; *) command+=("$arg") ;; esac
done
command+=("--Lifetime:PidFile=$ready_file" "--Lifetime:Predecessors=$predecessors")

# The new process runs as the old one's user (root restarting a service user's proxy): the kernel
# shares a SO_REUSEPORT port only among sockets of one user, and a proxy is not to become root's.
# Its ambient capabilities too (CAP_NET_BIND_SERVICE for port 80 as a service user): setpriv drops root's.
old_ids() { # → $old_uid $old_gid $old_groups (effective ids; supplementary groups, comma-separated), $old_caps (cap_N,...)
  local key rest ids mask bit
  old_groups=""
  old_caps=""
  while read -r key rest; do
    case $key in
      Uid:) read -ra ids <<<"$rest"; old_uid=${ids[1]} ;;
      Gid:) read -ra ids <<<"$rest"; old_gid=${ids[1]} ;;
      Groups:) read -ra ids <<<"$rest"; old_groups=$(IFS=,; printf '%s' "${ids[*]}") ;;
      CapAmb:) mask=$(( 16#$rest ))
        for (( bit = 0; bit < 64; bit++ )); do
          if (( (mask >> bit) & 1 )); then old_caps+="${old_caps:+,}+cap_$bit"; fi
        done ;;
    esac
  done <"/proc/$old_pid/status"
}
old_ids
if [ "$old_uid" != "$EUID" ]; then
  [ "$EUID" = 0 ] || die 1 "process $old_pid runs as user $old_uid, this script as $EUID: run it as that user or as root"
  setpriv=$(command -v setpriv) || die 1 "process $old_pid runs as user $old_uid: starting the new one as that user needs setpriv (util-linux)"
  as_user=("$setpriv" "--reuid=$old_uid" "--regid=$old_gid")
  if [ -n "$old_groups" ]; then as_user+=("--groups=$old_groups"); else as_user+=(--clear-groups); fi
  if [ -n "$old_caps" ]; then as_user+=("--inh-caps=$old_caps" "--ambient-caps=$old_caps"); fi
  command=("${as_user[@]}" -- "${command[@]}")
fi

# True unless the process's descriptor is known to write at its own offset (opened by '>' rather than '>>').
appends() { # pid fd
  local flags
  flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$1/fdinfo/$2" 2>/dev/null) || return 0
  [ -z "$flags" ] || (( 8#$flags & 8#2000 )) # O_APPEND
}

if [ -z "$log_file" ]; then
  old_out=$(readlink "/proc/$old_pid/fd/1" 2>/dev/null || true)
  if [ -n "$old_out" ] && [ -f "$old_out" ] && appends "$old_pid" 1; then
    log_file=$old_out
  else
    log_file=$(mktemp -t maintproxy.XXXXXX.log)
    if [ -n "$old_out" ] && [ -f "$old_out" ]; then
      # Its next line would land where the new process's lines (its reason not to start included) were written.
      echo "restart: warning: process $old_pid writes $old_out at its own offset (started with '>' rather than '>>'), so each process would overwrite the other's lines there; the new process logs to $log_file (choose with --log)" >&2
    fi
  fi
fi

now_ms() { date +%s%3N; }

# kill -0 succeeds for a zombie too: one that exited but was not reaped yet counts as gone.
alive() { # pid
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

deadline=$(( $(now_ms) + timeout_s * 1000 ))

# down.sh and up.sh wait while both processes listen: either may answer the admin port, and the other
# would apply the switch only when its file notification comes. They take this lock (flock on the
# sentinel's folder); it is released once the old process drains (it then reads the sentinel before
# each decision) and listens no more, or when this script exits.
if [ -z "$sentinel" ]; then
  sentinel=$("$root/maint/maintctl.sh" up --status --timeout 2 2>/dev/null | sed -n 's/^Sentinel: \(.*\)$/\1/p' | sed 's/ (absent)$//' | head -n 1) || true
fi
sentinel=$(realpath -m -- "${sentinel:-$root/maint/down}")
sentinel_dir=${sentinel%/*}
sentinel_dir=${sentinel_dir:-/}
lock_fd=""
if [ -d "$sentinel_dir" ] && { exec {lock_fd}<"$sentinel_dir"; } 2>/dev/null; then
  flock -w "$(( timeout_s + 10 ))" "$lock_fd" \
    || die 1 "a down.sh or up.sh kept $sentinel locked for $(( timeout_s + 10 ))s (a lock on $sentinel_dir); nothing was done, process $old_pid keeps serving. Try again."
else
  echo "restart: warning: cannot open $sentinel_dir to lock the sentinel: a down.sh run while both processes listen may be confirmed by one before the other applies it" >&2
fi

# Where the new process's output starts: the log may be the old process's, which goes on writing
# requests to it, and may hold an earlier attempt's lines.
log_start=$(stat -c %s -- "$log_file" 2>/dev/null || echo 0)
# Held open to read the new process's output where it went even if the file is renamed meanwhile (log rotation).
log_read="$log_file"
if { exec {log_fd}<"$log_file"; } 2>/dev/null; then log_read="/proc/$$/fd/$log_fd"; else log_fd=""; fi
# setsid: the new process must outlive this script and the terminal it runs in. It must not hold the lock.
(if [ -n "$lock_fd" ]; then exec {lock_fd}<&-; fi; if [ -n "$log_fd" ]; then exec {log_fd}<&-; fi; cd "$old_cwd" && exec setsid env -i "${old_env[@]}" "${command[@]}" >>"$log_file" 2>&1 </dev/null) &
new_pid=$!

stop_new() {
  kill -TERM "$new_pid" 2>/dev/null || true
}

while :; do
  if [ -r "$ready_file" ] && [ "$(tr -dc '0-9' <"$ready_file")" = "$new_pid" ]; then
    break
  fi
  if ! alive "$new_pid"; then
    status=0; wait "$new_pid" || status=$?
    # Shorter than it was: truncated in place (logrotate's copytruncate), so all of it came after the start.
    if [ "$(stat -L -c %s -- "$log_read" 2>/dev/null || echo 0)" -lt "$log_start" ]; then log_start=0; fi
    new_output=$(tail -c "+$(( log_start + 1 ))" -- "$log_read" 2>/dev/null || true)
    reason=$(grep -m 1 '^MaintProxy cannot start: ' <<<"$new_output" || true)
    if [ -z "$reason" ]; then
      reason="Last lines of its log: $(tail -n 5 <<<"$new_output" | tr '\n' ' ')"
    fi
    hint=""
    if grep -qi -e 'address already in use' -e '^Last lines' <<<"$reason"; then
      hint=" If the address is in use, the running proxy does not have Lifetime:ReusePort=true: restart it once the plain way."
    fi
    die 1 "the new process exited (status $status) before it was ready; process $old_pid keeps serving (log: $log_file). $reason$hint"
  fi
  if [ "$(now_ms)" -ge "$deadline" ]; then
    stop_new
    die 1 "the new process $new_pid was not ready within ${timeout_s}s (see $log_file); it was told to stop, process $old_pid keeps serving"
  fi
  sleep 0.05
done

# Checked again: something else may have told it to drain while the new process started.
if ! listening "$old_pid"; then
  echo "restart: process $old_pid no longer listens (it drains, or has exited) and was not signalled; process $new_pid serves" >&2
elif old_listeners=$(listening_sockets "$old_pid") && ! kill -TERM "$old_pid" 2>/dev/null; then
  echo "restart: process $old_pid was already gone; process $new_pid serves" >&2
fi
# The lock is held until the old process listens no more: from then on only the new one confirms.
drain_deadline=$(( $(now_ms) + timeout_s * 1000 ))
while [ -n "${old_listeners:-}" ] && alive "$old_pid" && holds_any "$old_pid" "$old_listeners"; do
  if [ "$(now_ms)" -ge "$drain_deadline" ]; then
    echo "restart: warning: process $old_pid still listens ${timeout_s}s after SIGTERM; down.sh and up.sh no longer wait for it" >&2
    break
  fi
  sleep 0.02
done
[ -z "$lock_fd" ] || exec {lock_fd}<&-
echo "Restarted: process $new_pid serves (log: $log_file); process $old_pid drains and exits when its last request is done"

if [ "$wait_old" = 1 ]; then
  while alive "$old_pid"; do
    sleep 0.1
  done
  echo "Process $old_pid has exited"
fi
