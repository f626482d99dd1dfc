#!/usr/bin/env bash
# Compares MaintProxy → php-fpm with nginx → php-fpm: same PHP script, same php-fpm pool, same
# machine, same run, taken in turns. See --help.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rounds=3
duration=10
connections=32
workers=4

usage() {
  cat <<EOF
Usage: tests/bench/fastcgi.sh [--rounds N] [--duration SECONDS] [--connections N] [--workers N]

Starts php-fpm (OPcache on) with one identical pool per proxy (pm = static, --workers workers)
serving the same ~1 KB hello.php on loopback ports, and in front of them, on free loopback ports:
  maintproxy      MaintProxy (Release), FastCGI cluster, MaxConnectionsPerServer = workers
  nginx           nginx, fastcgi_pass with its defaults (a new connection per request)
  nginx-keepalive nginx, fastcgi_keep_conn on + upstream keepalive 64
Then runs wrk (1 thread, --connections connections, --duration seconds) against each in turn,
A B C A B C ..., for --rounds rounds, and prints the median req/s and p99 of each and the
ratios MaintProxy / nginx. Neither proxy writes an access log (MaintProxy logs at Warning).
Every process it starts is stopped by its PID. Needs: dotnet, php-fpm8.2, nginx, wrk, curl.
EOF
}

while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --rounds) rounds=$2; shift ;;
    --duration) duration=$2; shift ;;
    --connections) connections=$2; shift ;;
    --workers) workers=$2; shift ;;
    *) echo "fastcgi bench: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

for tool in dotnet php-fpm8.2 nginx wrk curl; do
  command -v "$tool" >/dev/null || { echo "fastcgi bench: $tool is missing (apt-get install php8.2-fpm nginx wrk curl)" >&2; exit 2; }
done

dotnet build "$root/src/MaintProxy" -c Release -nologo -clp:ErrorsOnly >/dev/null
dll=$root/src/MaintProxy/bin/Release/net10.0/MaintProxy.dll

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill -TERM "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [ -n "${KEEP_WRK_LOG:-}" ] && cp "$work/wrk.log" "$KEEP_WRK_LOG" 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"



# The PHP side, shared by both proxies.
mkdir -p "$work/www"
cat >"$work/www/hello.php" <<'PHP'
<?php
header('Content-Type: text/html; charset=utf-8');
echo '<!doctype html><title>hello</title><p>', str_repeat('Hello from php-fpm. ', 48), '</p>';
PHP
# One php-fpm master, one identical pool per proxy: a php-fpm worker stays with a kept-alive
# connection, so proxies sharing a pool would starve each other between their turns.
declare -A fpm_port
{
  printf '[global]\nerror_log = /proc/self/fd/2\ndaemonize = no\n'
  for pool in maintproxy nginx nginx_keepalive; do
    free_port "fpm_port[$pool]"
    printf '[%s]\nlisten = 127.0.0.1:%s\nlisten.backlog = 4096\npm = static\npm.max_children = %s\npm.max_requests = 0\n' \
      "$pool" "${fpm_port[$pool]}" "$workers"
  done
} >"$work/php-fpm.conf"
fpm_args=(-F -O -y "$work/php-fpm.conf" -d opcache.enable=1 -d opcache.validate_timestamps=0)
[ "$(id -u)" = 0 ] && fpm_args+=(-R)
php-fpm8.2 "${fpm_args[@]}" >"$work/php-fpm.log" 2>&1 &
pids+=($!)
for pool in "${!fpm_port[@]}"; do
  wait_for "php-fpm pool $pool" bash -c "exec 3<>/dev/tcp/127.0.0.1/${fpm_port[$pool]}"
done

# MaintProxy in front of it.
free_port proxy_port
free_port admin_port
dotnet "$dll" \
  "--Kestrel:Endpoints:Public:Url=http://127.0.0.1:$proxy_port" \
  "--Admin:Url=http://127.0.0.1:$admin_port" \
  "--DemoBackend:Enabled=false" \
  "--Maintenance:SentinelPath=$work/down" \
  "--Maintenance:PagePath=$root/maint/maint.html" \
  "--ReverseProxy:Clusters:app:Destinations:app:Address=fcgi://127.0.0.1:${fpm_port[maintproxy]}" \
  "--ReverseProxy:Clusters:app:Metadata:Transport=FastCGI" \
  "--ReverseProxy:Clusters:app:Metadata:FastCGI.DocumentRoot=$work/www" \
  "--ReverseProxy:Clusters:app:HttpClient:MaxConnectionsPerServer=$workers" \
  "--Serilog:MinimumLevel:Default=Warning" >"$work/proxy.log" 2>&1 &
pids+=($!)

# nginx in front of it, twice: as shipped, and with kept-alive upstream connections.
free_port nginx_port
free_port nginx_ka_port
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000;
  upstream fpm_keepalive {
    server 127.0.0.1:${fpm_port[nginx_keepalive]};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    location ~ \.php\$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_pass 127.0.0.1:${fpm_port[nginx]};
    }
  }
  server {
    listen 127.0.0.1:$nginx_ka_port;
    root $work/www;
    location ~ \.php\$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_keep_conn on;
      fastcgi_pass fpm_keepalive;
    }
  }
}
CONF
nginx -p "$work" -c "$work/nginx.conf"

targets=(maintproxy nginx nginx-keepalive)
declare -A url=(
  [maintproxy]="http://127.0.0.1:$proxy_port/hello.php"
  [nginx]="http://127.0.0.1:$nginx_port/hello.php"
  [nginx-keepalive]="http://127.0.0.1:$nginx_ka_port/hello.php"
)
for t in "${targets[@]}"; do
  wait_for "$t" curl -sf -o /dev/null "${url[$t]}"
  body=$(curl -sf "${url[$t]}")
  [ "${#body}" -gt 900 ] || { echo "fastcgi bench: $t answered '${body:0:80}'" >&2; exit 1; }
done

# Prints "req/s p99-ms bad" for one wrk run; bad is 1 when wrk saw errors or non-2xx answers.
measure() { # url seconds
  wrk -t1 -c"$connections" -d"$2s" --latency "$1" | tee -a "$work/wrk.log" | awk '
    /Requests\/sec:/ { rps = $2 }
    /^ +99%/ { v = $2; unit = v; gsub(/[0-9.]/, "", unit); sub(/[a-z]+$/, "", v);
               p99 = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v }
    /Non-2xx|Socket errors/ { bad = 1 }
    END { printf "%.0f %.2f %d\n", rps, p99, bad }'
}


echo "php-fpm: pm = static, $workers workers; wrk -t1 -c$connections -d${duration}s; $rounds rounds, taken in turns"
for t in "${targets[@]}"; do measure "${url[$t]}" 2 >/dev/null; done  # warm-up: JIT, OPcache, pools

declare -A rps p99
for round in $(seq "$rounds"); do
  for t in "${targets[@]}"; do
    read -r r p bad < <(measure "${url[$t]}" "$duration")
    [ "$bad" = 0 ] || echo "  note: $t reported errors or non-2xx answers in round $round"
    rps[$t]+="$r "
    p99[$t]+="$p "
    printf '  round %d  %-16s %8s req/s   p99 %8s ms\n' "$round" "$t" "$r" "$p"
  done
done

echo
printf '%-16s %12s %12s\n' target "req/s (med)" "p99 ms (med)"
declare -A med_rps med_p99
for t in "${targets[@]}"; do
  med_rps[$t]=$(tr ' ' '\n' <<<"${rps[$t]}" | grep . | median)
  med_p99[$t]=$(tr ' ' '\n' <<<"${p99[$t]}" | grep . | median)
  printf '%-16s %12.0f %12.2f\n' "$t" "${med_rps[$t]}" "${med_p99[$t]}"
done
echo
for peer in nginx nginx-keepalive; do
  awk -v a="${med_rps[maintproxy]}" -v b="${med_rps[$peer]}" -v pa="${med_p99[maintproxy]}" -v pb="${med_p99[$peer]}" -v peer="$peer" \
    'BEGIN { printf "MaintProxy / %-16s req/s ratio %.2f   p99 ratio %.2f\n", peer, a / b, pa / pb }'
done
