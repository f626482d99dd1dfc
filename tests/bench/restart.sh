#!/usr/bin/env bash
# Restarts MaintProxy under a steady load, each supported way and the naive way, and counts what the
# clients saw: failed connections (refused, reset, timed out) and non-2xx answers. See --help.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
duration=8
restart_at=3
connections=8
in_netns=0

usage() {
  cat <<EOF
Usage: tests/bench/restart.sh [--duration SECONDS] [--restart-at SECONDS] [--connections N]

Runs wrk (N connections, a new TCP connection per request, for --duration seconds) through
MaintProxy on loopback, in front of nginx, and restarts the proxy --restart-at seconds in:
  (a1) socket activation, stop then start (what 'systemctl restart' does with maintproxy.socket)
  (a2) socket activation, overlap (a second process on the same inherited socket, then drain)
  (b)  overlap restart with SO_REUSEPORT (maint/restart.sh), net.ipv4.tcp_migrate_req=1 and =0
  (c)  the naive way: stop, then start
The socket holder is systemd-socket-activate with a small supervisor in bash.
As root it runs in a network namespace of its own (unshare -n), where it may set
net.ipv4.tcp_migrate_req without touching the machine's setting; otherwise it
uses the current one and measures (b) with whatever value is set.
Needs: dotnet, wrk, nginx, curl, systemd-socket-activate (Debian: wrk nginx curl systemd).
EOF
}

while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --duration) duration=$2; shift ;;
    --restart-at) restart_at=$2; shift ;;
    --connections) connections=$2; shift ;;
    --in-netns) in_netns=1 ;;
    *) echo "restart bench: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

for tool in dotnet wrk nginx curl systemd-socket-activate; do
  command -v "$tool" >/dev/null || { echo "restart bench: $tool is missing (apt-get install wrk nginx curl systemd)" >&2; exit 2; }
done

if [ "$in_netns" = 0 ]; then
  dotnet build "$root/src/MaintProxy" -c Release -nologo -clp:ErrorsOnly >/dev/null
  if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
    exec unshare -n -- "$0" --in-netns --duration "$duration" --restart-at "$restart_at" --connections "$connections"
  fi
  echo "(not root: measuring in the current network namespace)"
else
  ip link set lo up
fi

dll=$root/src/MaintProxy/bin/Release/net10.0/MaintProxy.dll
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  # Proxies the socket holder started (one may outlive it mid-restart): every process of this run,
  # and only those, names this run's own temporary folder on its command line.
  pkill -KILL -f -- "$work/" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"



gone() { ! kill -0 "$1" 2>/dev/null || [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" = Z ]; }
listening() { ss -Htln "sport = :$1" | grep -q .; }
pid_is() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }
pid_changed() { [ -s "$1" ] && [ "$(cat "$1")" != "$2" ]; }

free_port backend_port
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx.error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$backend_port;
    location / { return 200 "backend ok\n"; }
  }
}
EOF
nginx -p "$work" -c "$work/nginx.conf"
wait_for "nginx" curl -sf -o /dev/null "http://127.0.0.1:$backend_port/"

proxy_args() { # public-port admin-port pid-file [more...]
  local public=$1 admin=$2 pid_file=$3; shift 3
  echo "--Kestrel:Endpoints:Public:Url=http://127.0.0.1:$public"
  echo "--Admin:Url=http://127.0.0.1:$admin"
  echo "--DemoBackend:Enabled=false"
  echo "--ReverseProxy:Clusters:app:Destinations:app:Address=http://127.0.0.1:$backend_port/"
  echo "--Maintenance:SentinelPath=$work/down"
  echo "--Maintenance:PagePath=$root/maint/maint.html"
  echo "--Lifetime:PidFile=$pid_file"
  echo "--Serilog:MinimumLevel:Default=Warning"
  printf '%s\n' "$@"
}

# The socket holder for (a): systemd-socket-activate binds the port and execs this supervisor with
# the socket as fd 3. It runs the proxy with fd 3 and LISTEN_PID set to the proxy's own process id;
# SIGHUP restarts stop-then-start, SIGUSR1 restarts overlapping.
cat >"$work/holder.sh" <<'EOF'
#!/usr/bin/env bash
set -u
pid_file=$1; log=$2; shift 2
start() {
  sh -c 'LISTEN_PID=$$ exec "$@"' sh dotnet "$@" >>"$log" 2>&1 &
  current=$!
}
wait_ready() { # pid
  until [ "$(cat "$pid_file" 2>/dev/null)" = "$1" ]; do sleep 0.02; done
}
stop_start() {
  kill -TERM "$current"; wait "$current"
  start "$@"; wait_ready "$current"
}
overlap() {
  local old=$current
  start "$@"; wait_ready "$current"
  kill -TERM "$old"; wait "$old"
}
trap 'stop_start "$@"' HUP
trap 'overlap "$@"' USR1
trap 'kill -TERM "$current"; wait "$current"; exit 0' TERM
start "$@"
while :; do sleep 0.1 & wait $! 2>/dev/null; done
EOF

run_wrk() { # port
  wrk -t 2 -c "$connections" -d "${duration}s" --timeout 10s -H 'Connection: close' "http://127.0.0.1:$1/" >"$work/wrk.out" 2>&1
}

results=()
record() { # label
  local out requests errors non2xx max
  out=$(cat "$work/wrk.out")
  requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out")
  errors=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' <<<"$out")
  errors=${errors:-0 0 0 0}
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' <<<"$out")
  max=$(awk '/Latency/ { print $4 }' <<<"$out")
  read -r connect read write timeout <<<"$errors"
  # A refused connect shows up in wrk as a write error: all four are failed connections.
  results+=("$(printf '%-62s %9s %7s %-22s %8s %9s' "$1" "$requests" "$(( connect + read + write + timeout ))" "($connect/$read/$write/$timeout)" "${non2xx:-0}" "$max")")
}

measure_socket_activation() { # label signal
  local public admin pid_file holder
  free_port public; free_port admin; pid_file=$work/sa.pid
  rm -f "$pid_file"
  mapfile -t args < <(proxy_args "$public" "$admin" "$pid_file")
  systemd-socket-activate -l "127.0.0.1:$public" -E DOTNET_gcServer=0 -E PATH \
    bash "$work/holder.sh" "$pid_file" "$work/sa.log" "$dll" "${args[@]}" >>"$work/sa.log" 2>&1 &
  holder=$!; pids+=("$holder")
  wait_for "the socket holder" listening "$public"
  curl -s -o /dev/null --max-time 30 "http://127.0.0.1:$public/" # the first connection starts the supervisor
  wait_for "the socket-activated proxy" test -s "$pid_file"
  run_wrk "$public" & local load=$!
  sleep "$restart_at"
  kill "-$2" "$holder"
  wait "$load" || true
  record "$1"
  kill -TERM "$holder"; wait "$holder" 2>/dev/null || true
}

measure_overlap() { # label migrate
  local public admin pid_file old
  if [ "$in_netns" = 1 ]; then sysctl -qw "net.ipv4.tcp_migrate_req=$2"; fi
  free_port public; free_port admin; pid_file=$work/ov.pid
  rm -f "$pid_file"
  mapfile -t args < <(proxy_args "$public" "$admin" "$pid_file" "--Lifetime:ReusePort=true")
  DOTNET_gcServer=0 setsid dotnet "$dll" "${args[@]}" >>"$work/ov.log" 2>&1 </dev/null &
  old=$!; pids+=("$old")
  wait_for "the proxy" pid_is "$pid_file" "$old"
  run_wrk "$public" & local load=$!
  sleep "$restart_at"
  "$root/maint/restart.sh" --pid-file "$pid_file" --log "$work/ov.log" >/dev/null 2>&1 \
    || { echo "restart bench: maint/restart.sh failed" >&2; tail "$work/ov.log" >&2; exit 1; }
  pids+=("$(cat "$pid_file")")
  wait "$load" || true
  record "$1 (tcp_migrate_req=$(sysctl -n net.ipv4.tcp_migrate_req))"
  kill -TERM "$(cat "$pid_file")"
}

measure_naive() { # label
  local public admin pid_file old new
  free_port public; free_port admin; pid_file=$work/nv.pid
  rm -f "$pid_file"
  mapfile -t args < <(proxy_args "$public" "$admin" "$pid_file")
  DOTNET_gcServer=0 dotnet "$dll" "${args[@]}" >>"$work/nv.log" 2>&1 </dev/null &
  old=$!; pids+=("$old")
  wait_for "the proxy" pid_is "$pid_file" "$old"
  run_wrk "$public" & local load=$!
  sleep "$restart_at"
  kill -TERM "$old"; wait "$old" || true
  DOTNET_gcServer=0 dotnet "$dll" "${args[@]}" >>"$work/nv.log" 2>&1 </dev/null &
  new=$!; pids+=("$new")
  wait_for "the new proxy" pid_is "$pid_file" "$new"
  wait "$load" || true
  record "$1"
  kill -TERM "$new"; wait "$new" || true
}

measure_socket_activation "(a1) socket activation, stop then start" HUP
measure_socket_activation "(a2) socket activation, overlap on one socket" USR1
if [ "$in_netns" = 1 ]; then
  measure_overlap "(b) SO_REUSEPORT overlap, maint/restart.sh" 1
  measure_overlap "(b) SO_REUSEPORT overlap, maint/restart.sh" 0
else
  measure_overlap "(b) SO_REUSEPORT overlap, maint/restart.sh" current
fi
measure_naive "(c) naive: stop, then start"

echo
echo "wrk: $connections connections, a new connection per request, ${duration}s, restart at ${restart_at}s; $(nproc) cores"
printf '%-62s %9s %7s %-22s %8s %9s\n' "way" "requests" "failed" "(connect/read/write/timeout)" "non-2xx" "max-lat"
printf '%s\n' "${results[@]}"
