#!/usr/bin/env bash
# The logic behind down.sh and up.sh: flip the sentinel atomically, then wait until the running
# MaintProxy confirms, over its loopback-only admin surface, that it applies exactly what was written.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command=${1:?usage: maintctl.sh down|up [options]}
shift

admin_url=${MAINTPROXY_ADMIN_URL:-http://127.0.0.1:8081}
sentinel=${MAINTPROXY_SENTINEL:-}
timeout_s=${MAINTPROXY_TIMEOUT:-5}
wait_for_proxy=1

die() { # status message...
  local status=$1; shift
  printf '%s: %s\n' "${command}" "$*" >&2
  exit "$status"
}

usage() {
  local verb=$command
  cat <<EOF
Usage: ./${verb}.sh [options]

$( [ "$verb" = down ] \
  && echo "Puts MaintProxy into maintenance: every request gets the 503 maintenance page." \
  || echo "Takes MaintProxy out of maintenance: requests are forwarded again." )
Returns 0 only once the running proxy has confirmed the change; from then on
$( [ "$verb" = down ] && echo "no request reaches the backend." || echo "requests reach the backend again." )

Options:
  --no-wait           Only $( [ "$verb" = down ] && echo "write" || echo "remove" ) the sentinel; do not wait for a proxy
                      (for when none is running).
  --timeout SECONDS   How long to wait for the proxy's confirmation (default ${timeout_s}).
  --sentinel PATH     The sentinel file (default: the one the running proxy
                      reports, else maint/down beside this script).
  --admin-url URL     The proxy's loopback admin surface (default ${admin_url}).
  -h, --help          This text.

Environment: MAINTPROXY_ADMIN_URL, MAINTPROXY_SENTINEL, MAINTPROXY_TIMEOUT.
Exit status: 0 confirmed; 1 not confirmed in time (the sentinel change stays);
2 bad usage or a file that cannot be written.
EOF
}

while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --no-wait) wait_for_proxy=0 ;;
    --timeout) [ $# -ge 2 ] || die 2 "--timeout needs a number of seconds"; timeout_s=$2; shift ;;
    --timeout=*) timeout_s=${1#*=} ;;
    --sentinel) [ $# -ge 2 ] || die 2 "--sentinel needs a path"; sentinel=$2; shift ;;
    --sentinel=*) sentinel=${1#*=} ;;
    --admin-url) [ $# -ge 2 ] || die 2 "--admin-url needs a URL"; admin_url=$2; shift ;;
    --admin-url=*) admin_url=${1#*=} ;;
    *) die 2 "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ $timeout_s =~ ^[0-9]+([.][0-9]+)?$ ]] || die 2 "--timeout takes seconds, not '$timeout_s'"
admin_url=${admin_url%/}

now_ms() { date +%s%3N; }
started_ms=$(now_ms)

# Prints the value of a string field of the proxy's compact JSON answer.
json_field() { # json name
  sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" <<<"$1"
}

json_number() { # json name
  sed -n "s/.*\"$2\":\\([0-9]*\\).*/\\1/p" <<<"$1"
}

have_curl() { command -v curl >/dev/null 2>&1; }

admin() { # method path
  curl --silent --show-error --fail --max-time 1 -X "$1" "${admin_url}$2" 2>/dev/null
}

if [ -z "$sentinel" ]; then
  if [ "$wait_for_proxy" = 1 ] && have_curl && status=$(admin GET /status); then
    sentinel=$(json_field "$status" sentinelPath)
  fi
  sentinel=${sentinel:-$root/maint/down}
fi
sentinel=$(realpath -m -- "$sentinel")
sentinel_dir=$(dirname -- "$sentinel")

write_sentinel() { # content
  [ -d "$sentinel_dir" ] || mkdir -p -- "$sentinel_dir" 2>/dev/null \
    || die 2 "cannot create the folder $sentinel_dir for the sentinel; check the path and permissions"
  local tmp
  tmp=$(mktemp "$sentinel_dir/.down.XXXXXX" 2>/dev/null) \
    || die 2 "cannot write in $sentinel_dir; run as a user who may, or pass --sentinel"
  printf '%s' "$1" >"$tmp"
  chmod 0644 "$tmp"
  # rename(2) is atomic: the proxy sees the old sentinel or the new one, never half of one.
  mv -f -- "$tmp" "$sentinel" || { rm -f -- "$tmp"; die 2 "cannot rename into $sentinel"; }
}

remove_sentinel() {
  rm -f -- "$sentinel" 2>/dev/null || die 2 "cannot remove $sentinel; run as a user who may"
}

expected_sha() {
  if [ -e "$sentinel" ]; then sha256sum -- "$sentinel" | cut -d' ' -f1; else echo null; fi
}

# Asks the proxy to apply the sentinel as it is now, until it reports the same bytes.
confirm() { # expected-sha
  local expected=$1 answer="" reached=0 deadline
  have_curl || die 1 "curl is needed to get the proxy's confirmation (apt-get install curl), or pass --no-wait"
  deadline=$(( $(now_ms) + $(awk -v s="$timeout_s" 'BEGIN { printf "%d", s * 1000 }') ))
  while :; do
    if answer=$(admin POST /refresh); then
      reached=1
      local watched got
      watched=$(json_field "$answer" sentinelPath)
      if [ -n "$watched" ] && [ "$watched" != "$sentinel" ]; then
        die 1 "the proxy at $admin_url watches $watched, not $sentinel; run without --sentinel or point it at the same file"
      fi
      got=$(json_field "$answer" sentinelSha256)
      [ -n "$got" ] || got=null
      if [ "$got" = "$expected" ]; then
        applied_generation=$(json_number "$answer" generation)
        return 0
      fi
    fi
    if [ "$(now_ms)" -ge "$deadline" ]; then
      if [ "$reached" = 0 ]; then
        die 1 "no MaintProxy answered at $admin_url within ${timeout_s}s. The change to $sentinel stays, so a proxy started later applies it. Start the proxy (or check MAINTPROXY_ADMIN_URL), or pass --no-wait when no proxy is running."
      fi
      die 1 "the proxy at $admin_url did not apply $sentinel within ${timeout_s}s (it reports sha256 ${got:-none}, expected $expected); check its log."
    fi
    sleep 0.02
  done
}

case $command in
  down)
    token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    write_sentinel "{\"id\":\"$token\",\"since\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}"$'\n'
    verb_done="Maintenance ON"
    ;;
  up)
    remove_sentinel
    verb_done="Maintenance OFF"
    ;;
  *) die 2 "unknown command '$command' (down or up)" ;;
esac

if [ "$wait_for_proxy" = 0 ]; then
  echo "$verb_done at $sentinel (not waiting for a proxy: --no-wait)"
  exit 0
fi

confirm "$(expected_sha)"
echo "$verb_done: confirmed by the proxy at $admin_url (generation ${applied_generation:-?}, $(( $(now_ms) - started_ms )) ms)"
