#!/usr/bin/env bash
# The logic behind down.sh and up.sh: edit the sentinel atomically, then wait until the running
# MaintProxy confirms, over its loopback-only admin surface, that it applies exactly what was written.
#
# The sentinel holds one JSON object per line, one maintenance window each ({"site":null,...} or no
# site for every site). An empty file means every site is down with defaults.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command=${1:?usage: maintctl.sh down|up [options]}
shift

admin_url=${MAINTPROXY_ADMIN_URL:-http://127.0.0.1:8081}
sentinel=${MAINTPROXY_SENTINEL:-}
timeout_s=${MAINTPROXY_TIMEOUT:-5}
wait_for_proxy=1
show_status=0
sites=()
reason=""
retry_after=""
until_iso=""
read_only=0
allow=()
secret=""
secret_wanted=0
drain_s=""

die() { # status message...
  local status=$1; shift
  printf '%s: %s\n' "${command}" "$*" >&2
  exit "$status"
}

usage() {
  if [ "$command" = down ]; then
    cat <<EOF
Usage: ./down.sh [options]

Puts MaintProxy into maintenance: requests get the 503 maintenance page. Returns 0 only once
the running proxy has confirmed it; from then on no request reaches the backend (of the sites named).

Maintenance window:
  --site NAME          Only this site (a request host name or a YARP cluster id); repeatable.
                       Without it, every site. Running down.sh again for a site updates its window.
  --reason TEXT        Shown on the page ({{reason}}), in the JSON answer and in the logs.
  --retry-after SECS   The Retry-After header (default: the proxy's Maintenance:RetryAfterSeconds).
  --until TIME         When you expect to be done (ISO 8601, or anything 'date -d' reads); sent as
                       Retry-After and shown on the page ({{until}}). Must be in the future.
  --read-only          Stop writes only: GET, HEAD, OPTIONS and TRACE are still forwarded.
  --allow CIDR         Clients in this network bypass maintenance (e.g. 203.0.113.7 or 10.0.0.0/8);
                       repeatable.
  --secret[=VALUE]     A bypass secret (a new random one unless VALUE is given, printed either way):
                       visiting /VALUE, or sending header X-Maintenance-Bypass: VALUE, earns a cookie
                       that lets that browser through. Only its SHA-256 is stored.
  --drain[=SECONDS]    After the switch, also wait until the requests already forwarded to the
                       backend have finished (default 60 s). Then the backend is idle.
EOF
  else
    cat <<EOF
Usage: ./up.sh [options]

Takes MaintProxy out of maintenance: requests are forwarded again. Returns 0 only once the
running proxy has confirmed it.

  --site NAME          End only this site's window (repeatable); without it, every window ends.
EOF
  fi
  cat <<EOF

Common options:
  --status             Print the proxy's current state and exit.
  --no-wait            Only edit the sentinel; do not wait for a proxy (for when none is running).
  --timeout SECONDS    How long to wait for the proxy's confirmation (default ${timeout_s}).
  --sentinel PATH      The sentinel file (default: the one the running proxy reports, else
                       maint/down beside this script).
  --admin-url URL      The proxy's loopback admin surface (default ${admin_url}).
  -h, --help           This text.

Environment: MAINTPROXY_ADMIN_URL, MAINTPROXY_SENTINEL, MAINTPROXY_TIMEOUT.
Exit status: 0 confirmed (and drained); 1 not confirmed or not drained in time (the sentinel change
stays); 2 bad usage or a file that cannot be written.
EOF
}

need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die 2 "$1 needs a value (see --help)"; }
down_only() { [ "$command" = down ] || die 2 "$1 is an option of down.sh"; }

while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --status) show_status=1 ;;
    --no-wait) wait_for_proxy=0 ;;
    --timeout) need_value "$@"; timeout_s=$2; shift ;;
    --timeout=*) timeout_s=${1#*=} ;;
    --sentinel) need_value "$@"; sentinel=$2; shift ;;
    --sentinel=*) sentinel=${1#*=} ;;
    --admin-url) need_value "$@"; admin_url=$2; shift ;;
    --admin-url=*) admin_url=${1#*=} ;;
    --site) need_value "$@"; sites+=("$2"); shift ;;
    --site=*) sites+=("${1#*=}") ;;
    --reason) down_only "$1"; need_value "$@"; reason=$2; shift ;;
    --reason=*) down_only "$1"; reason=${1#*=} ;;
    --retry-after) down_only "$1"; need_value "$@"; retry_after=$2; shift ;;
    --retry-after=*) down_only "$1"; retry_after=${1#*=} ;;
    --until) down_only "$1"; need_value "$@"; until_iso=$2; shift ;;
    --until=*) down_only "$1"; until_iso=${1#*=} ;;
    --read-only) down_only "$1"; read_only=1 ;;
    --allow) down_only "$1"; need_value "$@"; allow+=("$2"); shift ;;
    --allow=*) down_only "$1"; allow+=("${1#*=}") ;;
    --secret) down_only "$1"; secret_wanted=1 ;;
    --secret=*) down_only "$1"; secret_wanted=1; secret=${1#*=} ;;
    --drain) down_only "$1"; drain_s=60 ;;
    --drain=*) down_only "$1"; drain_s=${1#*=} ;;
    *) die 2 "unknown option '$1' (see --help)" ;;
  esac
  shift
done

is_seconds() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }
is_seconds "$timeout_s" || die 2 "--timeout takes seconds, not '$timeout_s'"
[ -z "$drain_s" ] || is_seconds "$drain_s" || die 2 "--drain takes seconds, not '$drain_s'"
[ -z "$retry_after" ] || [[ $retry_after =~ ^[0-9]+$ ]] || die 2 "--retry-after takes whole seconds, not '$retry_after'"
[ -z "$retry_after" ] || [ -z "$until_iso" ] || die 2 "give --retry-after or --until, not both"
for site in "${sites[@]}"; do
  [[ $site =~ ^[A-Za-z0-9][A-Za-z0-9._:-]*$ ]] || die 2 "--site '$site' is not a host name or cluster id (letters, digits, . _ : -)"
done
for cidr in "${allow[@]}"; do
  [[ $cidr =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}(/[0-9]{1,2})?$ || $cidr =~ ^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/[0-9]{1,3})?$ ]] \
    || die 2 "--allow '$cidr' is not an IP address or CIDR network"
done
if [ -n "$until_iso" ]; then
  until_epoch=$(date -u -d "$until_iso" +%s 2>/dev/null) || die 2 "--until '$until_iso' is not a time (use ISO 8601, e.g. 2030-01-31T18:00:00Z)"
  [ "$until_epoch" -gt "$(date -u +%s)" ] || die 2 "--until '$until_iso' is in the past"
  until_iso=$(date -u -d "@$until_epoch" +%Y-%m-%dT%H:%M:%SZ)
fi
if [ "$secret_wanted" = 1 ]; then
  if [ -z "$secret" ]; then
    secret=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
  fi
  [[ $secret =~ ^[A-Za-z0-9_-]{16,128}$ ]] || die 2 "--secret needs 16 to 128 letters, digits, '-' or '_'"
fi
admin_url=${admin_url%/}

now_ms() { date +%s%3N; }
started_ms=$(now_ms)

# The value of a string or number field of the proxy's compact JSON answer.
json_field() { # json name
  sed -n "s/.*\"$2\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p" <<<"$1" | head -n1
}

have_curl() { command -v curl >/dev/null 2>&1; }

admin() { # method path
  curl --silent --show-error --fail --max-time 1 -X "$1" "${admin_url}$2" 2>/dev/null
}

if [ "$show_status" = 1 ]; then
  have_curl || die 1 "curl is needed to ask the proxy (apt-get install curl)"
  admin GET "/status?format=text" || die 1 "no MaintProxy answered at $admin_url (check MAINTPROXY_ADMIN_URL)"
  exit 0
fi

if [ -z "$sentinel" ]; then
  if [ "$wait_for_proxy" = 1 ] && have_curl && status=$(admin GET /status); then
    sentinel=$(json_field "$status" sentinelPath)
  fi
  sentinel=${sentinel:-$root/maint/down}
fi
sentinel=$(realpath -m -- "$sentinel")
sentinel_dir=$(dirname -- "$sentinel")

json_string() { # text → a JSON string literal
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}; s=${s//$'\r'/\\r}; s=${s//$'\t'/\\t}
  s=$(tr -d '\000-\010\013\014\016-\037' <<<"$s")
  printf '"%s"' "$s"
}

window_line() { # site-or-empty → one sentinel line
  local site=$1 line
  line="{\"id\":\"$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')\""
  if [ -n "$site" ]; then line+=",\"site\":\"$site\""; else line+=",\"site\":null"; fi
  line+=",\"since\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\""
  [ -z "$reason" ] || line+=",\"reason\":$(json_string "$reason")"
  [ -z "$retry_after" ] || line+=",\"retryAfterSeconds\":$retry_after"
  [ -z "$until_iso" ] || line+=",\"until\":\"$until_iso\""
  [ "$read_only" = 0 ] || line+=",\"readOnly\":true"
  if [ ${#allow[@]} -gt 0 ]; then
    local list="" cidr
    for cidr in "${allow[@]}"; do list+="${list:+,}\"$cidr\""; done
    line+=",\"allow\":[$list]"
  fi
  [ -z "$secret" ] || line+=",\"secretSha256\":\"$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)\""
  printf '%s}\n' "$line"
}

# The sentinel's lines other than the windows for these sites ("" = the window for every site).
# An empty sentinel stands for the window for every site, so it is kept as an explicit line.
other_windows() { # sites...
  [ -f "$sentinel" ] || return 0
  local line site keep
  if ! grep -q '[^[:space:]]' "$sentinel"; then
    for site in "$@"; do [ -n "$site" ] || return 0; done
    printf '{"site":null}\n'
    return 0
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    [ -n "${line//[[:space:]]/}" ] || continue
    keep=1
    for site in "$@"; do
      if [ -z "$site" ]; then
        [[ $line == *'"site":"'* ]] || keep=0
      else
        [[ $line != *"\"site\":\"$site\""* ]] || keep=0
      fi
    done
    [ "$keep" = 0 ] || printf '%s\n' "$line"
  done <"$sentinel"
}

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

deadline_after() { # seconds → a deadline in ms
  echo $(( $(now_ms) + $(awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }') ))
}

# Asks the proxy to apply the sentinel as it is now, until it reports the same bytes.
confirm() { # expected-sha
  local expected=$1 answer="" reached=0 deadline got=""
  have_curl || die 1 "curl is needed to get the proxy's confirmation (apt-get install curl), or pass --no-wait"
  deadline=$(deadline_after "$timeout_s")
  while :; do
    if answer=$(admin POST /refresh); then
      reached=1
      local watched
      watched=$(json_field "$answer" sentinelPath)
      if [ -n "$watched" ] && [ "$watched" != "$sentinel" ]; then
        die 1 "the proxy at $admin_url watches $watched, not $sentinel; run without --sentinel or point it at the same file"
      fi
      got=$(json_field "$answer" sentinelSha256)
      if [ "${got:-null}" = "$expected" ]; then
        applied_generation=$(json_field "$answer" generation)
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

# Waits until no request the new windows stop is still on its way to the backend.
drain() {
  local query="" site n="" deadline shown=0
  for site in "${sites[@]}"; do query+="${query:+&}site=$site"; done
  deadline=$(deadline_after "$drain_s")
  while :; do
    n=$(json_field "$(admin GET "/in-flight${query:+?$query}" || true)" inFlight)
    [ -n "$n" ] || die 1 "lost the proxy at $admin_url while draining; the switch itself was confirmed"
    if [ "$n" = 0 ]; then
      [ "$shown" = 0 ] || printf '\r\033[K' >&2
      return 0
    fi
    if [ "$(now_ms)" -ge "$deadline" ]; then
      [ "$shown" = 0 ] || printf '\n' >&2
      die 1 "maintenance is on, but $n request(s) were still in flight to the backend after ${drain_s}s; do not stop the backend yet (run with a longer --drain, or check for stuck requests)"
    fi
    if [ -t 2 ]; then
      printf '\rdraining: %s request(s) still in flight (%ds left) ' "$n" $(( (deadline - $(now_ms)) / 1000 )) >&2
      shown=1
    fi
    sleep 0.05
  done
}

case $command in
  down)
    if [ ${#sites[@]} -eq 0 ]; then
      content="$(other_windows "")"
      content+="${content:+$'\n'}$(window_line "")"
    else
      content="$(other_windows "${sites[@]}")"
      for site in "${sites[@]}"; do content+="${content:+$'\n'}$(window_line "$site")"; done
    fi
    write_sentinel "$content"$'\n'
    verb_done="Maintenance ON${sites[*]:+ for ${sites[*]}}"
    ;;
  up)
    if [ ${#sites[@]} -eq 0 ]; then
      remove_sentinel
    else
      content=$(other_windows "${sites[@]}")
      if [ -n "$content" ]; then write_sentinel "$content"$'\n'; else remove_sentinel; fi
    fi
    verb_done="Maintenance OFF${sites[*]:+ for ${sites[*]}}"
    ;;
  *) die 2 "unknown command '$command' (down or up)" ;;
esac

if [ -n "$secret" ]; then
  echo "Bypass secret: $secret (visit /$secret, or send the header X-Maintenance-Bypass: $secret)"
fi

if [ "$wait_for_proxy" = 0 ]; then
  echo "$verb_done at $sentinel (not waiting for a proxy: --no-wait)"
  exit 0
fi

confirm "$(expected_sha)"
echo "$verb_done: confirmed by the proxy at $admin_url (generation ${applied_generation:-?}, $(( $(now_ms) - started_ms )) ms)"
if [ -n "$drain_s" ]; then
  drain
  echo "Drained: no request is in flight to the backend ($(( $(now_ms) - started_ms )) ms)"
fi
