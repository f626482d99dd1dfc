#!/usr/bin/env bash
# MaintProxy side by side with nginx and HAProxy, on loopback, in one run. See --help.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: tests/bench/run.sh

Builds MaintProxy in Release and measures it against nginx and HAProxy doing the same job in
front of the same static nginx backend (a 1 KB file), all on 127.0.0.1 ports that are free:
  1. proxied requests/s and p50/p99 latency (wrk, keep-alive), access logs on and off,
     with the backend alone as the ceiling and, with logs off, the forwarding floor
     (tests/bench/floor: Kestrel and HttpClient forwarding, nothing else);
  2. maintenance 503 requests/s and latency, with logs off beside the maintenance floor
     (the same program answering the page itself: Kestrel alone);
  3. switch latency of down.sh / up.sh under a tight client loop, and the requests sent after
     the script returned that were still forwarded (down) or still refused (up);
  4. MaintProxy's memory (RSS) idle and at the end of the load;
  5. where the CPU goes: per request, CPU in user space and in the kernel, context switches,
     and (when perf is installed and may trace) system calls, from one more run under perf stat.
Runs alternate between the proxies (A B C A B C ...) and the table shows medians.
The table is printed and written to tests/bench/results/. Installs wrk, nginx, haproxy and
curl from Debian when they are missing. Not part of the test suite; takes about 8 minutes.

Environment (defaults in brackets):
  BENCH_DURATION      seconds per measured run [5]
  BENCH_ROUNDS        rounds of alternating runs [3]
  BENCH_CONNECTIONS   wrk connection counts for the proxied runs ["16 64"]
  BENCH_MAINT_CONNECTIONS  connection count for the maintenance runs [32]
  BENCH_LOGS          access-log variants to measure ["on off"]
  BENCH_SWITCHES      down/up repetitions in the switch test [10]
  BENCH_THREADS       wrk threads [1]
  BENCH_WARMUP        seconds of load per target before the measured runs [5]; the JIT
                      needs it, nginx and HAProxy get the same
  BENCH_DOTNET_ENV    extra VAR=value settings for the .NET processes, MaintProxy and the floor
                      (e.g. DOTNET_gcServer=0)
  BENCH_PROXY_ARGS    extra command-line settings for MaintProxy (--Section:Key=value ...)
EOF
}
case ${1:-} in -h|--help) usage; exit 0 ;; "") ;; *) usage >&2; exit 2 ;; esac

duration=${BENCH_DURATION:-5}
rounds=${BENCH_ROUNDS:-3}
connections=${BENCH_CONNECTIONS:-16 64}
maint_connections=${BENCH_MAINT_CONNECTIONS:-32}
log_variants=${BENCH_LOGS:-on off}
switches=${BENCH_SWITCHES:-10}
threads=${BENCH_THREADS:-1}
warmup=${BENCH_WARMUP:-5}
busiest=${connections##* } # the breakdown's connection count: the last of BENCH_CONNECTIONS
read -r -a dotnet_env <<<"${BENCH_DOTNET_ENV:-}"
read -r -a proxy_args <<<"${BENCH_PROXY_ARGS:-}"

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/../.." && pwd)
results_dir=$bench_dir/results

say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ---------------------------------------------------------------- tools
ensure_tools() {
  local missing=() tool package
  for tool in wrk:wrk nginx:nginx haproxy:haproxy curl:curl; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${tool%%:*}" ] || missing+=("${tool#*:}")
  done
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is needed to build MaintProxy"
  [ ${#missing[@]} -eq 0 ] && return
  say "installing from Debian: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  for package in "${missing[@]}"; do
    command -v "$package" >/dev/null 2>&1 || [ -x "/usr/sbin/$package" ] || die "could not install $package"
  done
}
ensure_tools
export PATH=$PATH:/usr/sbin

# ---------------------------------------------------------------- processes and ports
work=$(mktemp -d -t maintproxy-bench.XXXXXX)
chmod 755 "$work" # nginx workers may run as another user
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait "${pids[@]}" 2>/dev/null || true
  [ -n "${BENCH_KEEP:-}" ] && say "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"


wait_http() { # url expected-status what
  local deadline=$((SECONDS + 30)) status
  while [ $SECONDS -lt $deadline ]; do
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1" || true)
    [ "$status" = "$2" ] && return 0
    sleep 0.1
  done
  die "$3 did not answer $2 at $1 (last: ${status:-none}); see $work"
}

rss_kb() { # pid... -> the sum of VmRSS over the processes and their children
  local total=0 pid child kb
  for pid in "$@"; do
    for child in $pid $(cat "/proc/$pid/task/$pid/children" 2>/dev/null); do
      kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$child/status" 2>/dev/null || echo 0)
      total=$((total + ${kb:-0}))
    done
  done
  echo "$total"
}

# pid... -> "user kernel switches": CPU clock ticks in user space and in the kernel, and context
# switches (voluntary and not), summed over the processes, their children and all their threads.
proc_counters() {
  local user=0 kernel=0 switches=0 pid child fields task
  for pid in "$@"; do
    for child in $pid $(cat "/proc/$pid/task/$pid/children" 2>/dev/null); do
      fields=$(cat "/proc/$child/stat" 2>/dev/null) || continue
      read -r -a fields <<<"${fields##*) }" # fields after the command name, which may hold spaces
      user=$((user + fields[11])); kernel=$((kernel + fields[12]))
      for task in /proc/"$child"/task/*/status; do
        switches=$((switches + $(awk '/ctxt_switches:/ { s += $2 } END { print s + 0 }' "$task" 2>/dev/null || echo 0)))
      done
    done
  done
  echo "$user $kernel $switches"
}
ticks_per_second=$(getconf CLK_TCK)

process_tree() { # pid -> the pid and its children's, comma-separated (perf stat -p)
  local list=$1 child
  for child in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do list+=",$child"; done
  echo "$list"
}

# System calls per request are counted with perf, when it is installed and allowed to trace.
perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1 && can_count_syscalls=1 || can_count_syscalls=

render() { # template output
  sed -e "s|@DIR@|$work|g" -e "s|@BACKEND_PORT@|$backend_port|g" \
      -e "s|@LOG_PORT@|${log_port:-}|g" -e "s|@NOLOG_PORT@|${nolog_port:-}|g" \
      -e "s|@STATS_PORT@|${haproxy_stats_port:-}|g" "$1" >"$2"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- build
say "building MaintProxy (Release)"
dotnet publish "$repo/src/MaintProxy" -c Release -o "$work/publish" --nologo -v quiet >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; die "build failed"; }
dotnet publish "$bench_dir/floor" -c Release -o "$work/floor" --nologo -v quiet >"$work/build-floor.log" 2>&1 \
  || { cat "$work/build-floor.log" >&2; die "build of the forwarding floor failed"; }

# ---------------------------------------------------------------- start
mkdir -p "$work/www" "$work/maint" "$work/nginx-tmp"
head -c 1024 /dev/zero | tr '\0' 'x' >"$work/www/1k.html"
cp "$repo/maint/maint.html" "$work/maint/maint.html"
chmod -R a+rX "$work/www" "$work/maint"
path=/1k.html

free_port backend_port
render "$bench_dir/conf/common.nginx.conf" "$work/nginx-common.conf"
render "$bench_dir/conf/backend.nginx.conf" "$work/backend.conf"
nginx -e "$work/backend-error.log" -p "$work" -c "$work/backend.conf" -g 'daemon off;' &
pids+=($!); backend_pid=$!
backend_url=http://127.0.0.1:$backend_port
wait_http "$backend_url$path" 200 "the backend"

free_port log_port; free_port nolog_port
nginx_log_port=$log_port nginx_nolog_port=$nolog_port
render "$bench_dir/conf/proxy-server.nginx.conf" "$work/nginx-proxy-server.conf"
render "$bench_dir/conf/proxy.nginx.conf" "$work/nginx-proxy.conf"
nginx -e "$work/nginx-proxy-error.log" -p "$work" -c "$work/nginx-proxy.conf" -g 'daemon off;' &
pids+=($!); nginx_pid=$!

free_port log_port; free_port nolog_port; free_port haproxy_stats_port
haproxy_log_port=$log_port haproxy_nolog_port=$nolog_port
: >"$work/haproxy-maint.map"
render "$bench_dir/conf/proxy.haproxy.cfg" "$work/haproxy.cfg"
haproxy -db -f "$work/haproxy.cfg" >>"$work/haproxy.log" 2>&1 &
pids+=($!); haproxy_pid=$!

start_maintproxy() { # name request-log(on|off) -> sets <name>_pid, <name>_port, <name>_admin
  local name=$1 port admin extra=()
  free_port port; free_port admin
  [ "$2" = off ] && extra+=("--Serilog:MinimumLevel:Override:MaintProxy.RequestLogging=Warning")
  (cd "$work" && exec env "${dotnet_env[@]}" dotnet "$work/publish/MaintProxy.dll" \
    "--Kestrel:Endpoints:Public:Url=http://127.0.0.1:$port" \
    "--Admin:Url=http://127.0.0.1:$admin" \
    "--DemoBackend:Enabled=false" \
    "--Maintenance:SentinelPath=$work/$name-down" \
    "--Maintenance:PagePath=$work/maint/maint.html" \
    "--ReverseProxy:Clusters:app:Destinations:app:Address=$backend_url/" \
    "${extra[@]}" "${proxy_args[@]}" >>"$work/$name.log" 2>&1) &
  pids+=($!)
  printf -v "${name}_pid" '%s' "$!"
  printf -v "${name}_port" '%s' "$port"
  printf -v "${name}_admin" '%s' "http://127.0.0.1:$admin"
}
say "starting MaintProxy (request log on, and off), the forwarding floor, nginx and HAProxy"
start_maintproxy mp on
start_maintproxy mpq off
# The floor runs with the socket settings MaintProxy gives itself by default (Transport/EventLoops.cs).
free_port floor_port
(cd "$work" && exec env DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT="$(nproc)" DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 \
  "${dotnet_env[@]}" dotnet "$work/floor/ForwardingFloor.dll" --urls "http://127.0.0.1:$floor_port" \
  --Backend "$backend_url/" >>"$work/floor.log" 2>&1) &
pids+=($!); floor_pid=$!
free_port maint_floor_port
(cd "$work" && exec env DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT="$(nproc)" DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 \
  "${dotnet_env[@]}" dotnet "$work/floor/ForwardingFloor.dll" --urls "http://127.0.0.1:$maint_floor_port" \
  --Page "$work/maint/maint.html" >>"$work/maint-floor.log" 2>&1) &
pids+=($!); maint_floor_pid=$!

wait_http "http://127.0.0.1:$nginx_log_port$path" 200 "nginx"
wait_http "http://127.0.0.1:$haproxy_log_port$path" 200 "HAProxy"
wait_http "http://127.0.0.1:$mp_port$path" 200 "MaintProxy"
wait_http "http://127.0.0.1:$mpq_port$path" 200 "MaintProxy (request log off)"
wait_http "http://127.0.0.1:$floor_port$path" 200 "the forwarding floor"
wait_http "http://127.0.0.1:$maint_floor_port$path" 503 "the maintenance floor"
sleep 1 # let start-up work (tiering, timers) settle before the idle reading
rss_idle_mp=$(rss_kb "$mp_pid")
rss_idle_nginx=$(rss_kb "$nginx_pid")
rss_idle_haproxy=$(rss_kb "$haproxy_pid")

# ---------------------------------------------------------------- targets
declare -A url pid_of
pid_of[backend]=$backend_pid
pid_of[mp:on]=$mp_pid
pid_of[mp:off]=$mpq_pid
pid_of[nginx:on]=$nginx_pid
pid_of[nginx:off]=$nginx_pid
pid_of[haproxy:on]=$haproxy_pid
pid_of[haproxy:off]=$haproxy_pid
pid_of[floor:off]=$floor_pid
pid_of[maint-floor:off]=$maint_floor_pid
url[backend]=$backend_url
url[mp:on]=http://127.0.0.1:$mp_port
url[mp:off]=http://127.0.0.1:$mpq_port
url[floor:off]=http://127.0.0.1:$floor_port
url[maint-floor:off]=http://127.0.0.1:$maint_floor_port
url[nginx:on]=http://127.0.0.1:$nginx_log_port
url[nginx:off]=http://127.0.0.1:$nginx_nolog_port
url[haproxy:on]=http://127.0.0.1:$haproxy_log_port
url[haproxy:off]=http://127.0.0.1:$haproxy_nolog_port

# Log files only grow during a run; emptying them between runs keeps the disk out of it.
truncate_logs() {
  local f
  for f in "$work/mp.log" "$work/mpq.log" "$work/nginx-proxy-access.log" "$work/haproxy.log"; do
    [ -f "$f" ] && : >"$f"
  done
  return 0
}

maintenance() { # on|off -> all proxies at once
  local verb=down
  [ "$1" = off ] && verb=up
  MAINTPROXY_ADMIN_URL=$mp_admin "$repo/$verb.sh" >/dev/null
  MAINTPROXY_ADMIN_URL=$mpq_admin "$repo/$verb.sh" >/dev/null
  if [ "$1" = on ]; then touch "$work/nginx-down"; else rm -f "$work/nginx-down"; fi
  local command="del map $work/haproxy-maint.map on"
  [ "$1" = on ] && command="add map $work/haproxy-maint.map on on"
  exec 3<>"/dev/tcp/127.0.0.1/$haproxy_stats_port"
  printf '%s\n' "$command" >&3
  timeout 2 cat <&3 >/dev/null || true
  exec 3>&-
}

per_request() { awk -v v="$1" -v scale="$2" -v r="$3" 'BEGIN { printf "%.2f", v * scale / r }'; } # count scale requests

declare -A samples # "<scenario>|<target>|<metric>" -> space-separated values
add_sample() { samples[$1]="${samples[$1]:-}$2 "; }

run_wrk() { # scenario target connections seconds expected-status
  local out line requests duration_us p50 p99 non2xx errors before after perf_pid="" syscalls
  read -r -a before <<<"$(proc_counters "${pid_of[$2]}")"
  if [ "$1" = anatomy ]; then
    perf stat -x, -e raw_syscalls:sys_enter -p "$(process_tree "${pid_of[$2]}")" -o "$work/perf-stat.txt" \
      -- sleep "$4" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  # As a browser asks: every proxy then answers the maintenance page itself, the same bytes.
  out=$(wrk -t"$threads" -c"$3" -d"${4}s" -H "Accept: text/html" -s "$bench_dir/report.lua" "${url[$2]}$path" 2>&1) \
    || die "wrk failed against $2: $out"
  read -r -a after <<<"$(proc_counters "${pid_of[$2]}")"
  [ -z "$perf_pid" ] || wait "$perf_pid" || true
  line=$(grep '^RESULT ' <<<"$out") || die "no result from wrk against $2: $out"
  eval "$(sed -e 's/^RESULT //' -e 's/\([a-z0-9_]*\)=/local_\1=/g' <<<"$line")"
  requests=$local_requests duration_us=$local_duration_us p50=$local_p50_us p99=$local_p99_us
  non2xx=$local_non2xx errors=$local_socket_errors
  [ "$errors" = 0 ] || die "$2 had $errors socket errors: $out"
  if [ "$5" = 200 ]; then
    [ "$non2xx" = 0 ] || die "$2 answered $non2xx non-2xx responses in a proxied run"
  else
    [ "$non2xx" = "$requests" ] || die "$2 answered $((requests - non2xx)) of $requests without the 503"
  fi
  [ -n "$1" ] || return 0
  add_sample "$1|$2|rps" "$(awk -v r="$requests" -v d="$duration_us" 'BEGIN { printf "%.0f", r * 1e6 / d }')"
  add_sample "$1|$2|p50" "$(awk -v v="$p50" 'BEGIN { printf "%.3f", v / 1000 }')"
  add_sample "$1|$2|p99" "$(awk -v v="$p99" 'BEGIN { printf "%.3f", v / 1000 }')"
  local us_per_tick=$((1000000 / ticks_per_second))
  if [ "$1" = anatomy ]; then
    syscalls=$(awk -F, '/raw_syscalls:sys_enter/ { print $1 }' "$work/perf-stat.txt" 2>/dev/null)
    # perf counts for the sleep's length, wrk's run is a little longer: count per second of each.
    [[ $syscalls =~ ^[0-9]+$ ]] && add_sample "$1|$2|syscalls" "$(awk -v n="$syscalls" -v s="$4" -v r="$requests" \
      -v d="$duration_us" 'BEGIN { printf "%.2f", (n / s) / (r * 1e6 / d) }')"
    truncate_logs
    return 0
  fi
  add_sample "$1|$2|cpu" "$(per_request $(( after[0] + after[1] - before[0] - before[1] )) "$us_per_tick" "$requests")"
  add_sample "$1|$2|user" "$(per_request $(( after[0] - before[0] )) "$us_per_tick" "$requests")"
  add_sample "$1|$2|kernel" "$(per_request $(( after[1] - before[1] )) "$us_per_tick" "$requests")"
  add_sample "$1|$2|switches" "$(per_request $(( after[2] - before[2] )) 1 "$requests")"
  truncate_logs
}


# ---------------------------------------------------------------- 0. cold switch
# The very first down.sh after start (nothing warmed up yet), then up.sh.
t0=${EPOCHREALTIME/./}; MAINTPROXY_ADMIN_URL=$mp_admin "$repo/down.sh" >/dev/null; t1=${EPOCHREALTIME/./}
MAINTPROXY_ADMIN_URL=$mp_admin "$repo/up.sh" >/dev/null; t2=${EPOCHREALTIME/./}
cold_down_ms=$(( (t1 - t0) / 1000 )); cold_up_ms=$(( (t2 - t1) / 1000 ))
MAINTPROXY_ADMIN_URL=$mpq_admin "$repo/down.sh" >/dev/null; MAINTPROXY_ADMIN_URL=$mpq_admin "$repo/up.sh" >/dev/null

# ---------------------------------------------------------------- 1. proxied
proxied_targets=(backend)
for variant in $log_variants; do proxied_targets+=("mp:$variant" "nginx:$variant" "haproxy:$variant"); done
[[ " $log_variants " == *" off "* ]] && proxied_targets+=(floor:off) # the floor has no log
say "warming up every target (${warmup} s each)"
for target in "${proxied_targets[@]}"; do run_wrk "" "$target" 32 "$warmup" 200; done

say "proxied: $rounds rounds x ${#proxied_targets[@]} targets x connections ($connections), ${duration}s each"
for round in $(seq "$rounds"); do
  for c in $connections; do
    for target in "${proxied_targets[@]}"; do run_wrk "proxied-c$c" "$target" "$c" "$duration" 200; done
  done
  say "  round $round done"
done
rss_load_mp=$(rss_kb "$mp_pid")
if [ -n "$can_count_syscalls" ]; then
  say "system calls: one more run per target under perf stat, -c$busiest"
  for target in "${proxied_targets[@]}"; do run_wrk anatomy "$target" "$busiest" "$duration" 200; done
fi

# ---------------------------------------------------------------- 2. maintenance
maint_targets=()
for variant in $log_variants; do maint_targets+=("mp:$variant" "nginx:$variant" "haproxy:$variant"); done
[[ " $log_variants " == *" off "* ]] && maint_targets+=(maint-floor:off) # as the forwarding floor, no log
maintenance on
for target in "${maint_targets[@]}"; do
  # The proxies were warmed up by the proxied runs; the maintenance floor answers only here.
  [ "$target" = maint-floor:off ] && seconds=$warmup || seconds=1
  run_wrk "" "$target" "$maint_connections" "$seconds" 503
done
say "maintenance: $rounds rounds x ${#maint_targets[@]} targets, -c$maint_connections, ${duration}s each"
for round in $(seq "$rounds"); do
  for target in "${maint_targets[@]}"; do run_wrk "maint-c$maint_connections" "$target" "$maint_connections" "$duration" 503; done
  say "  round $round done"
done
maintenance off
rss_end_mp=$(rss_kb "$mp_pid")
rss_hwm_mp=$(awk '/^VmHWM:/ { print $2 }' "/proc/$mp_pid/status")
rss_end_nginx=$(rss_kb "$nginx_pid")
rss_end_haproxy=$(rss_kb "$haproxy_pid")

# ---------------------------------------------------------------- 3. switch
say "switch: $switches x down.sh/up.sh against MaintProxy under a tight client loop (wrk -t2 -c2)"
: >"$work/backend-tagged.log"
switch_log=$work/switch-windows.txt
: >"$switch_log"
wrk -t2 -c2 -d"$((switches * 2 + 10))s" -s "$bench_dir/switch.lua" "${url[mp:on]}$path" -- "$work/switch-client" \
  >"$work/switch-wrk.txt" 2>&1 &
wrk_pid=$!
pids+=("$wrk_pid")
sleep 0.5
for i in $(seq "$switches"); do
  t0=${EPOCHREALTIME/./}; MAINTPROXY_ADMIN_URL=$mp_admin "$repo/down.sh" >/dev/null; t1=${EPOCHREALTIME/./}
  sleep 0.3
  t2=${EPOCHREALTIME/./}; MAINTPROXY_ADMIN_URL=$mp_admin "$repo/up.sh" >/dev/null; t3=${EPOCHREALTIME/./}
  sleep 0.3
  echo "$t0 $t1 $t2 $t3" >>"$switch_log"
done
kill -INT "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" 2>/dev/null || true
truncate_logs

# Per repetition: down.sh ms, up.sh ms, requests sent between down.sh's return and up.sh's start,
# of those answered 200 (client side) and seen at the backend; requests sent after up.sh returned
# (until the next down.sh) and of those answered 503.
cat "$work"/switch-client-*.log >"$work/switch-client.txt"
switch_stats=$(awk '
  FNR == 1 { file++ }
  file == 1 { n++; d0[n] = $1; d1[n] = $2; u0[n] = $3; u1[n] = $4; next }
  file == 2 { t = $1; for (i = 1; i <= n; i++) {
      if (t > d1[i] && t < u0[i]) { down_sent[i]++; if ($2 != 503) down_fwd[i]++ }
      if (t > u1[i] && (i == n || t < d0[i + 1])) { up_sent[i]++; if ($2 == 503) up_refused[i]++ } }
    next }
  file == 3 { t = $1; for (i = 1; i <= n; i++) if (t > d1[i] && t < u0[i]) backend_fwd[i]++ }
  END { for (i = 1; i <= n; i++)
      printf "%.1f %.1f %d %d %d %d %d\n", (d1[i] - d0[i]) / 1000, (u1[i] - u0[i]) / 1000,
        down_sent[i], down_fwd[i], backend_fwd[i], up_sent[i], up_refused[i] }
' "$switch_log" "$work/switch-client.txt" "$work/backend-tagged.log")
echo "$switch_stats" >"$work/switch-stats.txt"
column_of() { awk -v c="$1" '{ print $c }' <<<"$switch_stats" | tr '\n' ' '; }
sum_of() { awk -v c="$1" '{ s += $c } END { print s + 0 }' <<<"$switch_stats"; }
max_of() { awk -v c="$1" 'NR == 1 || $c > m { m = $c } END { print m }' <<<"$switch_stats"; }
min_of() { awk -v c="$1" 'NR == 1 || $c < m { m = $c } END { print m }' <<<"$switch_stats"; }

# ---------------------------------------------------------------- table
med() { median <<<"${samples[$1]:-}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
fmt() { awk -v v="$1" -v k="$2" 'BEGIN { if (v == "-") print "-"; else if (k == "rps") printf "%.0f", v; else if (k ~ /^(cpu|user|kernel|syscalls)$/) printf "%.1f", v; else printf "%.2f", v }'; }
row() { # label scenario variant metric
  local mp nginx haproxy floor backend="" unit floor_target=floor
  case $2 in maint*) floor_target=maint-floor ;; esac
  mp=$(med "$2|mp:$3|$4"); nginx=$(med "$2|nginx:$3|$4"); haproxy=$(med "$2|haproxy:$3|$4"); floor=$(med "$2|$floor_target:$3|$4")
  case $2 in proxied*|anatomy) backend=$(fmt "$(med "$2|backend|$4")" "$4") ;; esac
  case $4 in
    rps) unit="req/s" ;; cpu) unit="CPU µs/req" ;; user) unit="CPU in user space, µs/req" ;;
    kernel) unit="CPU in the kernel, µs/req" ;; switches) unit="context switches/req" ;;
    syscalls) unit="system calls/req" ;; *) unit="$4 ms" ;;
  esac
  printf '| %s, %s | %s | %s | %s | %s | %s | **%s** | %s | %s |\n' "$1" "$unit" "$(fmt "$mp" "$4")" "$(fmt "$nginx" "$4")" \
    "$(fmt "$haproxy" "$4")" "$(fmt "$floor" "$4")" "${backend:--}" \
    "$(ratio "$mp" "$nginx")" "$(ratio "$haproxy" "$nginx")" "$(ratio "$floor" "$nginx")"
}
table_head() {
  echo "| $1 | MaintProxy | nginx | HAProxy | floor | backend alone | MaintProxy/nginx | HAProxy/nginx | floor/nginx |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
}
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cores=$(nproc)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
dotnet_version=$(dotnet --version 2>/dev/null || echo "?")
mkdir -p "$results_dir"
result_file=$results_dir/bench-$(date +%Y%m%d-%H%M%S).md
{
  echo "MaintProxy benchmark, $(date '+%Y-%m-%d %H:%M'), $cores cores ($cpu), wrk on the same machine;"
  echo "nginx $(nginx -v 2>&1 | sed 's|.*/||'), HAProxy $(haproxy -v | awk 'NR == 1 { print $3 }'), .NET SDK $dotnet_version."
  echo "wrk -t$threads, ${duration} s per run, $rounds alternating rounds, medians. Ratio = MaintProxy ÷ nginx"
  echo "(req/s: higher is better; latency and CPU: lower is better). Load average before / after: $load_before / $load_after."
  echo
  echo "Floor: Kestrel receiving and HttpClient forwarding, with nothing else (tests/bench/floor; no log, so"
  echo "only in the log-off rows): the least a proxy built on them costs here. In the maintenance rows the"
  echo "floor is Kestrel answering the same page and headers itself, with nothing else."
  echo
  table_head measure
  for variant in $log_variants; do
    for c in $connections; do
      for metric in rps p50 p99 cpu; do row "proxied -c$c, log $variant" "proxied-c$c" "$variant" "$metric"; done
    done
  done
  for variant in $log_variants; do
    for metric in rps p50 p99 cpu; do row "maintenance 503 -c$maint_connections, log $variant" "maint-c$maint_connections" "$variant" "$metric"; done
  done
  printf '| RSS idle, MB | %s | %s | %s | - | - | **%s** | %s | - |\n' "$((rss_idle_mp / 1024))" "$((rss_idle_nginx / 1024))" \
    "$((rss_idle_haproxy / 1024))" "$(ratio "$rss_idle_mp" "$rss_idle_nginx")" "$(ratio "$rss_idle_haproxy" "$rss_idle_nginx")"
  printf '| RSS after the load (peak), MB | %s (%s) | %s | %s | - | - | **%s** | %s | - |\n' "$((rss_end_mp / 1024))" \
    "$((rss_hwm_mp / 1024))" "$((rss_end_nginx / 1024))" "$((rss_end_haproxy / 1024))" \
    "$(ratio "$rss_end_mp" "$rss_end_nginx")" "$(ratio "$rss_end_haproxy" "$rss_end_nginx")"
  echo
  echo "Where the CPU goes (proxied -c$busiest, maintenance -c$maint_connections): CPU and context switches are medians"
  echo "over the rounds above, summed over every thread of the process (and of nginx's workers); system calls"
  echo "come from one more proxied run per target under perf stat. The maintenance 503 is Kestrel answering"
  echo "alone, so the difference between the two is what forwarding (YARP and HttpClient) adds; the floor"
  echo "column is forwarding without YARP or MaintProxy's pipeline, and the page without the pipeline."
  echo
  table_head "per request"
  for variant in $log_variants; do
    for metric in user kernel switches; do row "proxied, log $variant" "proxied-c$busiest" "$variant" "$metric"; done
    [ -z "$can_count_syscalls" ] || row "proxied, log $variant" anatomy "$variant" syscalls
  done
  for variant in $log_variants; do
    for metric in user kernel switches; do row "maintenance 503, log $variant" "maint-c$maint_connections" "$variant" "$metric"; done
  done
  [ -n "$can_count_syscalls" ] || echo "(system calls not counted: perf is missing or may not trace here)"
  echo
  echo "Switch (MaintProxy alone; $switches repetitions under wrk -t2 -c2 against it):"
  echo
  echo "| measure | median | max |"
  echo "|---|---:|---:|"
  echo "| down.sh returns, ms | $(column_of 1 | median) | $(max_of 1) |"
  echo "| up.sh returns, ms | $(column_of 2 | median) | $(max_of 2) |"
  echo "| first down.sh / up.sh after start (no load), ms | $cold_down_ms / $cold_up_ms | |"
  echo "| requests sent after down.sh returned: forwarded (client saw non-503 / backend saw) | $(sum_of 4) / $(sum_of 5) of $(sum_of 3) | |"
  echo "| requests sent after up.sh returned: still answered 503 | $(sum_of 7) of $(sum_of 6) | |"
  echo
  echo "RSS of MaintProxy with the request log on: idle after start, and after the proxied and maintenance runs."
  echo "Requests sent in a window are counted by their send time (microseconds, same clock as the scripts');"
  echo "min requests in any down window: $(min_of 3)."
} | tee "$result_file"
say "written to ${result_file#"$repo"/}"
