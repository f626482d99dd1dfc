#!/usr/bin/env bash
# The logic behind down.sh and up.sh: edit the sentinel atomically, then wait until the running
# MaintProxy confirms, over its loopback-only admin surface, that it applies exactly what was written.
#
# The sentinel holds one JSON object per line, one maintenance window each ({"site":null,...} or no
# site for every site). An empty file means every site is down with defaults.
#
# One run at a time per sentinel: a run holds an exclusive flock(1) on the sentinel's folder (an fd
# opened on the folder, so no lock file is left behind) from reading the sentinel until the proxy has
# confirmed, so two runs for different sites never lose one another's window.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi # run by sh: start again under bash
if (( BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 501 )); then
  echo "maintctl.sh needs bash 5.1 or later (this is $BASH_VERSION)" >&2
  exit 2
fi
set -euo pipefail

here=${BASH_SOURCE[0]}
[ ! -L "$here" ] || here=$(readlink -f -- "$here")
case $here in */*) here=${here%/*} ;; *) here=. ;; esac
root=$here/..
command=${1:?usage: maintctl.sh down|up [options]}
shift

admin_url=${MAINTPROXY_ADMIN_URL:-http://127.0.0.1:8081}
# Whether the admin URL was chosen (option or environment) or is the shipped default, which every
# MaintProxy on the box starts with: a default that reaches another instance must not be used.
admin_url_chosen=0
[ -z "${MAINTPROXY_ADMIN_URL:-}" ] || admin_url_chosen=1
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
                       Without it, every site. Running down.sh again for a site replaces its window
                       with this run's options (what the earlier one had and this lacks is named).
                       A host name is named without port, in ASCII (xn--bcher-kva.example for
                       bücher.example); its case and a trailing dot do not matter.
  --reason TEXT        Shown on the page ({{reason}}), in the JSON answer and in the logs.
  --retry-after SECS   The Retry-After header, 0 to 2147483647 (default: the proxy's
                       Maintenance:RetryAfterSeconds).
  --until TIME         When you expect to be done (ISO 8601, or anything 'date -d' reads); a time
                       without offset is local time (TZ), written as UTC. Sent as Retry-After and
                       shown on the page ({{until}}). In the future, at the latest 9999-12-31.
                       The window stays on after TIME, until up.sh ends it.
  --read-only          Stop writes only: GET, HEAD, OPTIONS and TRACE are still forwarded.
  --allow CIDR         Clients in this network bypass maintenance (e.g. 203.0.113.7, 10.0.0.0/8 or
                       2001:db8::/32); repeatable. IPv4 is four numbers 0-255 without leading zeros.
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
                       Exits 1 if a window for every site stays on: that site is still down.
EOF
  fi
  cat <<EOF

Common options:
  --status             Print the proxy's current state and exit.
  --no-wait            Only edit the sentinel; do not wait for a proxy (for when none is running).
  --timeout SECONDS    How long to wait for the proxy's confirmation (default ${timeout_s}, above 0); also the
                       longest any one exchange with the admin listener may take.
  --sentinel PATH      The sentinel file (default: the one the running proxy reports, else
                       maint/down beside this script).
  --admin-url URL      The proxy's loopback admin surface (default ${admin_url}).
  -h, --help           This text.

Environment: MAINTPROXY_ADMIN_URL, MAINTPROXY_SENTINEL, MAINTPROXY_TIMEOUT.
One run at a time changes a sentinel: a run waits (up to --timeout + 10 s) for another one to finish.

Exit status: 0 confirmed (and drained); 1 not confirmed or not drained in time, the proxy could not
apply the sentinel (then every site is down), or up.sh --site while a window for every site stays on
(the sentinel change stays in each case); 2 bad usage, or a sentinel that cannot be read or written
(nothing written).
EOF
}

need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die 2 "$1 needs a value (see --help)"; }
# The VALUE of --option=VALUE, in $value; an empty one is refused (--drain= does not mean "no drain").
eq_value() { value=${1#*=}; [ -n "$value" ] || die 2 "${1%%=*}= needs a value (see --help)"; }
down_only() { [ "$command" = down ] || die 2 "$1 is an option of down.sh"; }

while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --status) show_status=1 ;;
    --no-wait) wait_for_proxy=0 ;;
    --timeout) need_value "$@"; timeout_s=$2; shift ;;
    --timeout=*) eq_value "$1"; timeout_s=$value ;;
    --sentinel) need_value "$@"; sentinel=$2; shift ;;
    --sentinel=*) eq_value "$1"; sentinel=$value ;;
    --admin-url) need_value "$@"; admin_url=$2; admin_url_chosen=1; shift ;;
    --admin-url=*) eq_value "$1"; admin_url=$value; admin_url_chosen=1 ;;
    --site) need_value "$@"; sites+=("$2"); shift ;;
    --site=*) eq_value "$1"; sites+=("$value") ;;
    --reason) down_only "$1"; need_value "$@"; reason=$2; shift ;;
    --reason=*) down_only "$1"; eq_value "$1"; reason=$value ;;
    --retry-after) down_only "$1"; need_value "$@"; retry_after=$2; shift ;;
    --retry-after=*) down_only "$1"; eq_value "$1"; retry_after=$value ;;
    --until) down_only "$1"; need_value "$@"; until_iso=$2; shift ;;
    --until=*) down_only "$1"; eq_value "$1"; until_iso=$value ;;
    --read-only) down_only "$1"; read_only=1 ;;
    --allow) down_only "$1"; need_value "$@"; allow+=("$2"); shift ;;
    --allow=*) down_only "$1"; eq_value "$1"; allow+=("$value") ;;
    --secret) down_only "$1"; secret_wanted=1 ;;
    --secret=*) down_only "$1"; eq_value "$1"; secret_wanted=1; secret=$value ;;
    --drain) down_only "$1"; drain_s=60 ;;
    --drain=*) down_only "$1"; eq_value "$1"; drain_s=$value ;;
    *) die 2 "unknown option '$1' (see --help)" ;;
  esac
  shift
done

is_seconds() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }
seconds_ms() { # seconds → $ms, whole milliseconds (what the deadlines count in)
  local whole=${1%%.*} frac=${1#*.}
  [[ $1 == *.* ]] || frac=""
  frac=${frac}000
  ms=$(( 10#$whole * 1000 + 10#${frac:0:3} ))
}
is_seconds "$timeout_s" || die 2 "--timeout takes seconds, not '$timeout_s'"
# Not 0: the first exchange with the proxy would be out of time before it began, which reads as "no proxy".
seconds_ms "$timeout_s"
[ "$ms" -gt 0 ] || die 2 "--timeout takes seconds above 0 (at least 0.001), not '$timeout_s': the proxy's confirmation takes a few milliseconds"
[ -z "$drain_s" ] || is_seconds "$drain_s" || die 2 "--drain takes seconds, not '$drain_s'"
if [ -n "$retry_after" ]; then
  # The proxy reads it as a 32-bit int, and JSON has no leading zeros: 0300 is written 300.
  [[ $retry_after =~ ^0*([0-9]{1,10})$ ]] && (( 10#${BASH_REMATCH[1]} <= 2147483647 )) \
    || die 2 "--retry-after takes whole seconds from 0 to 2147483647, not '$retry_after'"
  retry_after=$(( 10#${BASH_REMATCH[1]} ))
fi
[ -z "$retry_after" ] || [ -z "$until_iso" ] || die 2 "give --retry-after or --until, not both"
# A site name as the scripts compare it, in $key: lower-case, without the trailing dot of a fully
# qualified name, as the proxy compares host names. Cluster ids are written as given (the proxy
# matches them exactly) but compared the same way: YARP takes no two that differ in case only.
site_key() { # name
  local LC_ALL=C # ASCII case only, whatever the locale
  key=${1%.}
  key=${key,,}
}

given=("${sites[@]}")
sites=()
keys=" "
for site in "${given[@]}"; do
  # Converting to IDNA would need a tool beyond bash and coreutils (idn2); the proxy compares xn-- forms.
  [[ $site != *[![:ascii:]]* ]] \
    || die 2 "--site '$site' is not ASCII; give an international host name in its xn-- form, as clients send it in Host (bücher.example is xn--bcher-kva.example)"
  [[ ! $site =~ ^[^:]+:[0-9]*$ ]] || die 2 "--site '$site' has a port; sites are named without port (${site%%:*} covers every port)"
  [[ $site =~ ^[A-Za-z0-9][A-Za-z0-9._:-]*$ ]] || die 2 "--site '$site' is not a host name or cluster id (letters, digits, . _ : -)"
  site=${site%.} # a fully qualified name (example.org.) is the same site
  site_key "$site"
  [[ $keys == *" $key "* ]] || { sites+=("$site"); keys+="$key "; }
done
# IPv4 only as four decimal numbers 0-255 without leading zeros: 192.168.001.010 is octal to some parsers.
octet='(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
ipv4="$octet(\.$octet){3}"
# An IPv6 address as the proxy reads it: eight groups of 1-4 hex digits, or fewer around one '::';
# the last two groups may be written as IPv4 (::ffff:192.0.2.1). No zone (%eth0), no brackets.
is_ipv6() { # address
  local a=$1 part n=0 colons group='[0-9A-Fa-f]{1,4}'
  if [[ $a =~ ^(.*:)$ipv4$ ]]; then a=${BASH_REMATCH[1]}0:0; fi
  if [[ $a == *::* ]]; then
    [[ ${a#*::} != *::* ]] || return 1
    for part in "${a%%::*}" "${a#*::}"; do
      [ -n "$part" ] || continue
      [[ $part =~ ^$group(:$group)*$ ]] || return 1
      colons=${part//[!:]/}
      n=$(( n + ${#colons} + 1 ))
    done
    [ "$n" -le 7 ]
  else
    colons=${a//[!:]/}
    [[ $a =~ ^$group(:$group)*$ ]] && [ ${#colons} -eq 7 ]
  fi
}
for cidr in "${allow[@]}"; do
  if [[ $cidr =~ ^$ipv4(/([0-9]|[12][0-9]|3[0-2]))?$ ]]; then continue; fi
  if [[ $cidr =~ ^([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(/(0|[1-9][0-9]?|1[01][0-9]|12[0-8]))?$ ]] && is_ipv6 "${BASH_REMATCH[1]}"; then continue; fi
  die 2 "--allow '$cidr' is not an IP address or CIDR network (IPv4 as four numbers 0-255 without leading zeros, prefix /0 to /32, e.g. 192.168.1.10 or 10.0.0.0/8; IPv6 prefix /0 to /128, e.g. 2001:db8::/32)"
done
if [ -n "$until_iso" ]; then
  # Without an offset, TIME is the operator's local time (TZ), as 'date' shows it; written as UTC.
  until_epoch=$(date -d "$until_iso" +%s 2>/dev/null) || die 2 "--until '$until_iso' is not a time (use ISO 8601, e.g. 2030-01-31T18:00:00Z, or a local time such as 18:00)"
  [ "$until_epoch" -gt "${EPOCHREALTIME%[.,]*}" ] || die 2 "--until '$until_iso' is in the past"
  # The proxy reads times up to the end of year 9999 (DateTimeOffset.MaxValue).
  [ "$until_epoch" -le 253402300799 ] || die 2 "--until '$until_iso' is after 9999-12-31T23:59:59Z, the latest time the proxy reads"
  TZ=UTC0 printf -v until_iso '%(%Y-%m-%dT%H:%M:%SZ)T' "$until_epoch"
fi
if [ "$secret_wanted" = 1 ]; then
  if [ -z "$secret" ]; then
    secret=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
  fi
  [[ $secret =~ ^[A-Za-z0-9_-]{16,128}$ ]] || die 2 "--secret needs 16 to 128 letters, digits, '-' or '_'"
fi
admin_url=${admin_url%/}

# Builtins only on the way to the confirmation (no date, sed or curl): down.sh must return in
# milliseconds, and every fork costs one or two.
now_ms() { # → $now
  now=${EPOCHREALTIME/[.,]/}
  now=$(( now / 1000 ))
}
now_ms
started_ms=$now

deadline_after() { # seconds → $deadline in ms
  local ms
  seconds_ms "$1"
  now_ms
  deadline=$(( now + ms ))
}

# The value of a string or number field of the proxy's compact JSON answer, in $field.
json_field() { # json name
  field=""
  if [[ $1 =~ \"$2\":\"?([^\",\}]*) ]]; then field=${BASH_REMATCH[1]}; fi
}

[[ $admin_url =~ ^http://(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.-]+):([0-9]+)$ ]] \
  || die 2 "the admin URL '$admin_url' is not http://HOST:PORT (the proxy's Admin:Url)"
admin_host=${BASH_REMATCH[1]}
admin_port=${BASH_REMATCH[2]}
admin_authority=$admin_host:$admin_port # for Host: an IPv6 literal keeps its brackets ([::1]:8081)
admin_host=${admin_host#[}
admin_host=${admin_host%]}

# One HTTP/1.0 exchange with the admin listener over bash's /dev/tcp; the body lands in $body, the
# status line in $http_status. Fails when nobody answers, the answer is not 200, or it has not ended
# by DEADLINE (ms): each read gets only the time left, so a listener that trickles bytes cannot hold
# the script. So is the connect, which waits as long as the listener's accept queue is full (a
# stopped or overwhelmed proxy): a watchdog interrupts it with SIGUSR1 at the deadline.
admin() { # method path deadline-ms
  body=""
  http_status=""
  connect_timed_out=0
  local fd line="" left t rc header=1
  admin_connect "$3" || return 1
  trap '' PIPE # a listener that hung up fails the write, instead of ending the script
  if ! { printf '%s %s HTTP/1.0\r\nHost: %s\r\nContent-Length: 0\r\n\r\n' "$1" "$2" "$admin_authority" >&"$fd"; } 2>/dev/null; then
    trap - PIPE
    exec {fd}>&-
    return 1
  fi
  trap - PIPE
  while :; do
    now_ms
    left=$(( $3 - now ))
    if [ "$left" -le 0 ]; then
      http_status="no complete answer in time"
      exec {fd}>&-
      return 1
    fi
    printf -v t '%d.%03d' $(( left / 1000 )) $(( left % 1000 ))
    line=""
    rc=0
    if [ "$header" = 1 ]; then
      IFS= read -r -t "$t" line <&"$fd" || rc=$?
    else
      IFS= read -r -d '' -t "$t" line <&"$fd" || rc=$? # the rest, up to the end (or a NUL)
    fi
    if [ "$rc" = 0 ]; then
      if [ "$header" = 0 ]; then
        body+=$line
      elif [ -z "$http_status" ]; then
        http_status=${line%$'\r'}
      elif [ -z "${line%$'\r'}" ]; then
        header=0
      fi
      continue
    fi
    [ "$rc" -le 128 ] || continue # timed out: the deadline check above ends it
    # The end of the answer (the server closes an HTTP/1.0 exchange).
    if [ "$header" = 1 ]; then http_status=${http_status:-${line%$'\r'}}; else body+=$line; fi
    break
  done
  exec {fd}>&-
  [[ $http_status == "HTTP/1."?" 200"* ]]
}

# Opens $fd to the admin listener, or fails: refused at once, or (connect_timed_out=1) not accepted by
# DEADLINE (ms). bash cannot time a connect, but a trapped signal interrupts it. A TERM, INT or HUP
# that comes meanwhile (Ctrl-C, timeout(1), a closed terminal) interrupts it too, and the script ends
# with it once the watchdog is gone: a watchdog left behind would hold the lock on the sentinel's
# folder (an inherited fd) and signal whatever process took this script's PID.
admin_connect() { # deadline-ms
  local self=$BASHPID watchdog rc=0 ended_by=""
  now_ms
  [ "$(( $1 - now ))" -gt 0 ] || return 1 # no time left to try: says nothing of the listener
  trap 'connect_timed_out=1' USR1
  trap 'ended_by=TERM' TERM
  trap 'ended_by=INT' INT
  trap 'ended_by=HUP' HUP
  # In a process group of its own (set -m), so that one kill ends it and its sleep at once, whenever it
  # comes.
  set -m
  ( connect_watchdog "$self" "$1" ) </dev/null >/dev/null 2>&1 &
  watchdog=$!
  set +m
  { exec {fd}<>"/dev/tcp/$admin_host/$admin_port"; } 2>/dev/null || rc=1
  kill -KILL -- "-$watchdog" 2>/dev/null
  wait "$watchdog" 2>/dev/null
  trap - USR1 TERM INT HUP
  if [ -n "$ended_by" ]; then
    kill -s "$ended_by" "$self"
    case $ended_by in HUP) exit 129 ;; INT) exit 130 ;; *) exit 143 ;; esac
  fi
  [ "$rc" = 0 ] || return 1
  connect_timed_out=0
}

# The watchdog of admin_connect: SIGUSR1 to the script at the deadline, unless the script is gone
# first (killed with SIGKILL): it looks every 100 ms.
connect_watchdog() { # script-pid deadline-ms
  local left t i steps
  now_ms
  steps=$(( ($2 - now) / 100 + 2 ))
  for (( i = 0; i < steps; i++ )); do
    kill -0 "$1" 2>/dev/null || exit 0
    now_ms
    left=$(( $2 - now ))
    if [ "$left" -le 0 ]; then
      kill -USR1 "$1"
      exit 0
    fi
    [ "$left" -le 100 ] || left=100
    printf -v t '0.%03d' "$left"
    sleep "$t"
  done
  kill -USR1 "$1"
}

# Whether $body is a MaintProxy status answer (any HTTP 200 server could answer the others), with its
# generation in $generation.
is_status() {
  [[ $body =~ \"generation\":([0-9]+) ]] || return 1
  generation=${BASH_REMATCH[1]}
  [[ $body == *'"sentinelSha256":'* ]]
}

# After admin failed: the reason to add when the listener did not even take the connection in time.
not_accepted() {
  [ "$connect_timed_out" = 1 ] || return 0
  printf ' within %ss: its admin listener did not accept the connection. The proxy may be stopped (state T in ps: resume it with kill -CONT PID) or overwhelmed; check it and its log' "$timeout_s"
}

not_maintproxy() { # what was asked
  die 1 "the admin URL $admin_url answers $1, but not like MaintProxy (no status with a generation): another server listens there. Check MAINTPROXY_ADMIN_URL or --admin-url (the proxy's Admin:Url)."
}

# With the default admin URL, the proxy that answers must be this copy's: it watches this copy's
# maint/down, or was started in this copy's folder (with an absolute Maintenance:SentinelPath elsewhere).
# On a box with several MaintProxy instances, the one at the default port may be another one (this
# copy's proxy set another Admin:Url, or failed to start because that port was taken), and its site is
# not this one's.
other_instance_at_default() { # the sentinel the proxy reports, the folder it was started in
  [ "$admin_url_chosen" = 0 ] || return 0
  local own watched
  own=$(realpath -m -- "$root/maint/down")
  watched=$(realpath -m -- "$1") # the proxy does not resolve symbolic links, realpath does
  [ "$watched" != "$own" ] || return 0
  [ -z "$2" ] || [ "$(realpath -m -- "$2")" != "$(realpath -m -- "$root")" ] || return 0
  die 1 "the proxy at the default admin URL $admin_url watches $1, not $own beside this script, and was started in ${2:-another folder}, not $(realpath -m -- "$root"): it is another MaintProxy instance (or this copy's proxy uses another Admin:Url, or is not running). Nothing was written. Pass --admin-url with this copy's Admin:Url (or set MAINTPROXY_ADMIN_URL), or --sentinel $1 to change that instance's file."
}

if [ "$show_status" = 1 ]; then
  deadline_after "$timeout_s"
  admin GET "/status?format=text" "$deadline" || die 1 "no MaintProxy answered at $admin_url$(not_accepted) (check MAINTPROXY_ADMIN_URL)"
  printf '%s' "$body"
  exit 0
fi

if [ -z "$sentinel" ]; then
  if [ "$wait_for_proxy" = 1 ]; then
    deadline_after "$timeout_s"
    if admin GET /status "$deadline"; then
      is_status || not_maintproxy "GET /status"
      json_field "$body" sentinelPath
      sentinel=$field # already absolute and normalized by the proxy
      json_field "$body" workingDirectory
      other_instance_at_default "$sentinel" "$field"
    elif [ "$connect_timed_out" = 1 ]; then # a listener is there, but it is not the one to tell which file it watches
      die 1 "no MaintProxy answered at $admin_url$(not_accepted). Nothing was written; pass --sentinel PATH to write the file anyway."
    elif [ -n "$http_status" ]; then # something answered, but not as the proxy does: write nothing
      die 1 "the admin URL $admin_url does not answer like MaintProxy (GET /status: $http_status); nothing was written. Check MAINTPROXY_ADMIN_URL or --admin-url (the proxy's Admin:Url)."
    fi
  fi
  sentinel=${sentinel:-$root/maint/down}
fi
[[ $sentinel == /* && $sentinel != *"/."* && $sentinel != *"//"* ]] || sentinel=$(realpath -m -- "$sentinel")
sentinel_dir=${sentinel%/*}
sentinel_dir=${sentinel_dir:-/}
if [ -d "$sentinel" ]; then
  die 2 "$sentinel is a folder, not the sentinel file; nothing was written. Remove it, or pass --sentinel with the path of a file."
elif [ -e "$sentinel" ] && [ ! -f "$sentinel" ]; then
  die 2 "$sentinel is not a regular file; nothing was written. Remove it, or pass --sentinel with the path of a file."
fi

# One run at a time, from reading the sentinel to the proxy's confirmation: a lock on the sentinel's
# folder (flock(1) on an fd opened on the folder, so no lock file is left behind), released at exit
# or before draining.
lock_fd=""
lock() {
  [ -d "$sentinel_dir" ] || mkdir -p -- "$sentinel_dir" 2>/dev/null \
    || die 2 "cannot create the folder $sentinel_dir for the sentinel; check the path and permissions"
  { exec {lock_fd}<"$sentinel_dir"; } 2>/dev/null \
    || die 2 "cannot open the folder $sentinel_dir (to lock it while changing the sentinel); run as a user who may read it"
  local wait_s=$(( 10#${timeout_s%%.*} + 10 ))
  flock -w "$wait_s" "$lock_fd" \
    || die 1 "another down.sh or up.sh kept $sentinel locked for ${wait_s}s (a lock on $sentinel_dir); nothing was written. Try again."
}
unlock() {
  [ -z "$lock_fd" ] || exec {lock_fd}<&-
  lock_fd=""
}

json_string() { # text → $json, a JSON string literal
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}; s=${s//$'\r'/\\r}; s=${s//$'\t'/\\t}
  # Other control characters (an escape sequence) are kept, as \u00XX: the proxy shows them as \xHH.
  local LC_ALL=C c hex code
  if [[ $s == *[$'\001'-$'\037']* ]]; then
    for (( code = 1; code < 32; code++ )); do # one replacement per character present: linear in the text
      printf -v hex '%02x' "$code"
      printf -v c "\\x$hex"
      [[ $s != *"$c"* ]] || s=${s//"$c"/\\u00$hex}
    done
  fi
  json="\"$s\""
}

window_line() { # site-or-empty → $line, one sentinel line
  local site=$1 id since cidr list=""
  printf -v id '%08x%04x' "$SRANDOM" "$(( SRANDOM & 0xffff ))"
  TZ=UTC0 printf -v since '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  line="{\"id\":\"$id\""
  if [ -n "$site" ]; then line+=",\"site\":\"$site\""; else line+=",\"site\":null"; fi
  line+=",\"since\":\"$since\""
  if [ -n "$reason" ]; then json_string "$reason"; line+=",\"reason\":$json"; fi
  [ -z "$retry_after" ] || line+=",\"retryAfterSeconds\":$retry_after"
  [ -z "$until_iso" ] || line+=",\"until\":\"$until_iso\""
  [ "$read_only" = 0 ] || line+=",\"readOnly\":true"
  if [ ${#allow[@]} -gt 0 ]; then
    for cidr in "${allow[@]}"; do list+="${list:+,}\"$cidr\""; done
    line+=",\"allow\":[$list]"
  fi
  [ -z "$secret" ] || line+=",\"secretSha256\":\"$secret_sha\""
  line+="}"
}
if [ -n "$secret" ]; then
  secret_sha=$(printf '%s' "$secret" | sha256sum)
  secret_sha=${secret_sha%% *}
fi

# The sentinel's lines other than the windows for these sites ("" = the window for every site), in
# $others (one per element). An empty sentinel stands for the window for every site, so it is kept as
# an explicit line. How each window left out spelled its site goes in $spelled[KEY]: an update keeps
# the spelling, so a cluster id stays as the proxy matches it (exactly), whatever the case of the
# --site that named it. $every_site_left: a window for every site is among $others.
# One pass over the lines, each looked at once: a sentinel of thousands of windows takes milliseconds.
declare -A spelled=()
declare -A earlier=() # the lines left out, by site key ("*": the window for every site)
others=()
every_site_left=0
other_windows() { # sites...
  others=()
  [ -e "$sentinel" ] || return 0
  local line site keep key blank=1 ending=() fd
  { exec {fd}<"$sentinel"; } 2>/dev/null \
    || die 2 "cannot read $sentinel, so the windows in it would be lost; nothing was written. Run as a user who may read it (the proxy's, or root)."
  for site in "$@"; do site_key "$site"; ending+=("$key"); done
  while IFS= read -r line <&"$fd" || [ -n "$line" ]; do
    [[ $line == *[![:space:]]* ]] || continue
    blank=0
    key="" # no site: the window for every site
    if [[ $line =~ \"site\"[[:space:]]*:[[:space:]]*\"([^\"]*)\" ]]; then site_key "${BASH_REMATCH[1]}"; fi
    keep=1
    for site in "${ending[@]}"; do [ "$key" != "$site" ] || keep=0; done
    if [ "$keep" = 1 ]; then
      others+=("$line")
      [ -n "$key" ] || every_site_left=1
    else
      earlier[${key:-*}]=$line
      [ -z "$key" ] || spelled[$key]=${BASH_REMATCH[1]%.}
    fi
  done
  exec {fd}<&-
  if [ "$blank" = 1 ]; then
    others=()
    for site in "$@"; do [ -n "$site" ] || return 0; done
    others=('{"site":null}')
    every_site_left=1
  fi
}

# What the window this run replaces for SITE had and the new one has not, as one line in $note (else
# empty): the command line states the whole window, so a run without --secret ends the bypass of the
# window it replaces, and nothing else would say so. Builtins only: down.sh stays at milliseconds.
note_replaced() { # site-or-empty
  note=""
  local site=$1 old re had=() again=() list value cidrs cidr given now_iso named="every site"
  site_key "$site"
  old=${earlier[${key:-*}]:-}
  [ -n "$old" ] || return 0
  shopt -s nocasematch # a hash's hex digits and an IPv6 network may be written in either letter case
  re='"secretSha256"[[:space:]]*:[[:space:]]*"([0-9a-f]+)"'
  if [[ $old =~ $re ]] && [[ ${BASH_REMATCH[1]} != "${secret_sha:-}" ]]; then
    if [ -n "$secret" ]; then
      had+=("another bypass secret (cookies earned with it no longer let anyone through)")
      again+=("--secret=VALUE (in place of this run's secret)")
    else
      had+=("a bypass secret")
      again+=("--secret=VALUE")
    fi
  fi
  re='"reason"[[:space:]]*:[[:space:]]*"(([^"\\]|\\.)+)"'
  if [ -z "$reason" ] && [[ $old =~ $re ]]; then
    value=${BASH_REMATCH[1]//[[:cntrl:]]/?} # as the sentinel holds it, JSON-escaped: one line on a terminal
    (( ${#value} <= 80 )) || value="${value:0:77}..."
    had+=("reason \"$value\"")
    again+=("--reason TEXT")
  fi
  if [ -z "$until_iso" ] && [ -z "$retry_after" ]; then
    re='"until"[[:space:]]*:[[:space:]]*"([^"]+)"'
    TZ=UTC0 printf -v now_iso '%(%Y-%m-%dT%H:%M:%SZ)T' -1
    # One that has passed no longer does anything (as the scripts write it, UTC, it sorts as text).
    # The value is taken first: the format check's own match replaces BASH_REMATCH.
    if [[ $old =~ $re ]]; then
      value=${BASH_REMATCH[1]}
      if ! [[ $value =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ && ! $value > $now_iso ]]; then
        had+=("until $value")
        again+=("--until TIME")
      fi
    fi
    re='"retryAfterSeconds"[[:space:]]*:[[:space:]]*([0-9]+)'
    if [[ $old =~ $re ]]; then
      had+=("retry-after ${BASH_REMATCH[1]} s")
      again+=("--retry-after ${BASH_REMATCH[1]}")
    fi
  fi
  re='"readOnly"[[:space:]]*:[[:space:]]*true'
  if [ "$read_only" = 0 ] && [[ $old =~ $re ]]; then
    had+=("read-only")
    again+=("--read-only")
  fi
  re='"allow"[[:space:]]*:[[:space:]]*\[([^]]*)\]'
  if [[ $old =~ $re ]]; then
    list=""
    IFS=, read -r -a cidrs <<<"${BASH_REMATCH[1]}"
    for cidr in "${cidrs[@]}"; do
      cidr=${cidr//[[:space:]\"]/}
      [ -n "$cidr" ] || continue
      for given in "${allow[@]}"; do [[ $given != "$cidr" ]] || continue 2; done
      list+="${list:+, }$cidr"
      again+=("--allow $cidr")
    done
    [ -z "$list" ] || had+=("allowed networks $list")
  fi
  shopt -u nocasematch
  [ ${#had[@]} -gt 0 ] || return 0
  printf -v list '%s, ' "${had[@]}"
  printf -v value '%s ' "${again[@]}"
  [ -z "$site" ] || named="site $site"
  note="$command: the window for $named replaced the earlier one, which had ${list%, }: each run states the whole window. To keep them, run down.sh again with this run's options and ${value% }"
  [[ $value != *--secret=* ]] || note+=" (VALUE: the bypass secret printed when it was set)"
}

# Writes CONTENT to a new file and renames it over the sentinel; $expected is the SHA-256 of exactly
# these bytes, taken before the rename, so the confirmation is about what this run wrote.
write_sentinel() { # content
  local tmp
  printf -v tmp '%s/.down.%s.%08x' "$sentinel_dir" "$$" "$SRANDOM"
  # A new file (noclobber), readable by a proxy running as another user.
  umask 022
  { set -C; printf '%s' "$1" >"$tmp"; } 2>/dev/null \
    || { set +C; die 2 "cannot write in $sentinel_dir; run as a user who may, or pass --sentinel"; }
  set +C
  expected=$(sha256sum -- "$tmp") || { rm -f -- "$tmp"; die 2 "cannot read back $tmp"; }
  expected=${expected%% *}
  # rename(2) is atomic: the proxy sees the old sentinel or the new one, never half of one.
  mv -fT -- "$tmp" "$sentinel" || { rm -f -- "$tmp"; die 2 "cannot rename into $sentinel"; }
}

remove_sentinel() {
  rm -f -- "$sentinel" 2>/dev/null || die 2 "cannot remove $sentinel; run as a user who may"
  expected=null
}

# Asks the proxy to apply the sentinel as it is now, until it reports the bytes this run wrote.
confirm() {
  local reached=0 got=""
  deadline_after "$timeout_s"
  while :; do
    if admin POST /refresh "$deadline"; then
      is_status || not_maintproxy "POST /refresh"
      reached=1
      json_field "$body" sentinelPath
      if [ -n "$field" ] && [ "$field" != "$sentinel" ]; then
        die 1 "the proxy at $admin_url watches $field, not $sentinel; run without --sentinel or point it at the same file"
      fi
      json_field "$body" sentinelSha256
      got=$field
      if [ "$got" = "$expected" ]; then
        applied_generation=$generation
        return 0
      fi
      # The proxy cannot read the file or look into its folder (it runs as another user): that does not
      # change by waiting, and it fails closed meanwhile.
      [ "$got" != unreadable ] || cannot_read
    elif [ -n "$http_status" ]; then
      reached=1
    fi
    now_ms
    if [ "$now" -ge "$deadline" ]; then
      if [ "$reached" = 0 ]; then
        [ "$connect_timed_out" = 0 ] || die 1 "no MaintProxy answered at $admin_url$(not_accepted). The change to $sentinel stays: a proxy applies it once it answers, if its Maintenance:SentinelPath is this file."
        die 1 "no MaintProxy answered at $admin_url within ${timeout_s}s. The change to $sentinel stays: a proxy started later applies it if its Maintenance:SentinelPath is this file. Start the proxy (or check MAINTPROXY_ADMIN_URL), or pass --no-wait when no proxy is running."
      elif [ -z "$got" ]; then
        die 1 "the admin URL $admin_url did not answer like MaintProxy within ${timeout_s}s (${http_status:-no answer}); check MAINTPROXY_ADMIN_URL or --admin-url (the proxy's Admin:Url). The change to $sentinel stays."
      fi
      die 1 "the proxy at $admin_url did not apply $sentinel within ${timeout_s}s (it reports sha256 $got, expected $expected, the bytes this run wrote: another program may have changed the file since); check the file and the proxy's log."
    fi
    sleep 0.02
  done
}

# Fails when the proxy's answer in $body says it could not apply the sentinel: it then fails closed.
check_applied() {
  [[ $body != *'"sentinelError":null'* ]] || return 0
  local error="unknown error" re='"sentinelError":"(([^"\\]|\\.)*)"'
  if [[ $body =~ $re ]]; then error=${BASH_REMATCH[1]}; fi
  die 1 "the proxy could not apply $sentinel: $error. It fails closed: EVERY site is in maintenance now, with defaults. Fix or remove that line in $sentinel (or run ./up.sh to end every window), then run this again."
}

# The proxy reports that it cannot read the sentinel, or look into its folder: a matter of permissions.
cannot_read() {
  local error="unknown error" re='"sentinelError":"(([^"\\]|\\.)*)"'
  if [[ $body =~ $re ]]; then error=${BASH_REMATCH[1]//\\u0027/\'}; fi
  die 1 "the proxy cannot read $sentinel: $error It fails closed: EVERY site is in maintenance now, whatever the file says, until it can read it."
}

# Waits until no request the new windows stop is still on its way to the backend.
drain() {
  local query="" site n="" previous="" shown=0 until_ms
  for site in "${sites[@]}"; do query+="${query:+&}site=$site"; done
  deadline_after "$drain_s"
  until_ms=$deadline
  while :; do
    deadline_after "$timeout_s"
    (( deadline < until_ms + 1000 )) || deadline=$(( until_ms + 1000 ))
    admin GET "/in-flight${query:+?$query}" "$deadline" || die 1 "lost the proxy at $admin_url while draining; the switch itself was confirmed"
    json_field "$body" inFlight
    n=$field
    # A process maint/restart.sh replaced may still be finishing requests, which this proxy cannot count.
    json_field "$body" predecessorPid
    previous=${field#null}
    if [ "$n" = 0 ] && [ -z "$previous" ]; then
      [ "$shown" = 0 ] || printf '\r\033[K' >&2
      return 0
    fi
    now_ms
    if [ "$now" -ge "$until_ms" ]; then
      [ "$shown" = 0 ] || printf '\n' >&2
      [ "$n" != 0 ] || die 1 "maintenance is on, but the previous process (PID $previous), which maint/restart.sh replaced, was still finishing its requests after ${drain_s}s; do not stop the backend yet (run with a longer --drain)"
      die 1 "maintenance is on, but $n request(s) were still in flight to the backend after ${drain_s}s; do not stop the backend yet (run with a longer --drain, or check for stuck requests)"
    fi
    if [ -t 2 ] && [ "$n" = 0 ]; then
      printf '\rdraining: waiting for the previous process (PID %s) to finish its requests (%ds left) ' "$previous" $(( (until_ms - now) / 1000 )) >&2
      shown=1
    elif [ -t 2 ]; then
      printf '\rdraining: %s request(s) still in flight (%ds left) ' "$n" $(( (until_ms - now) / 1000 )) >&2
      shown=1
    fi
    sleep 0.05
  done
}

case $command in
  down)
    lock
    notes=()
    if [ ${#sites[@]} -eq 0 ]; then
      other_windows ""
      window_line ""
      others+=("$line")
      note_replaced ""
      [ -z "$note" ] || notes+=("$note")
    else
      other_windows "${sites[@]}"
      for i in "${!sites[@]}"; do
        site_key "${sites[i]}"
        sites[i]=${spelled[$key]:-${sites[i]}}
        window_line "${sites[i]}"
        others+=("$line")
        note_replaced "${sites[i]}"
        [ -z "$note" ] || notes+=("$note")
      done
    fi
    printf -v content '%s\n' "${others[@]}"
    write_sentinel "$content"
    [ ${#notes[@]} -eq 0 ] || printf '%s\n' "${notes[@]}" >&2
    verb_done="Maintenance ON${sites[*]:+ for ${sites[*]}}"
    ;;
  up)
    # Nothing to lock (nor to remove) when the folder does not exist.
    [ ! -d "$sentinel_dir" ] || lock
    if [ ${#sites[@]} -eq 0 ]; then
      remove_sentinel
    else
      other_windows "${sites[@]}"
      if [ ${#others[@]} -gt 0 ]; then
        printf -v content '%s\n' "${others[@]}"
        write_sentinel "$content"
      else
        remove_sentinel
      fi
    fi
    verb_done="Maintenance OFF${sites[*]:+ for ${sites[*]}}"
    ;;
  *) die 2 "unknown command '$command' (down or up)" ;;
esac

if [ -n "$secret" ]; then
  echo "Bypass secret: $secret (visit /$secret, or send the header X-Maintenance-Bypass: $secret)"
fi

# up.sh --site must not report a site as up that the window for every site still covers.
still_down() {
  die 1 "NOT up: ${sites[*]} still in maintenance, under the window for every site, which stays on in $sentinel (${1}). ./up.sh without --site ends every window."
}

if [ "$wait_for_proxy" = 0 ]; then
  [ "$command" != up ] || [ "$every_site_left" = 0 ] || still_down "not waiting for a proxy: --no-wait"
  echo "$verb_done at $sentinel (not waiting for a proxy: --no-wait)"
  exit 0
fi

confirm
check_applied
unlock
[ "$command" != up ] || [ "$every_site_left" = 0 ] || still_down "the rest was confirmed by the proxy at $admin_url, generation ${applied_generation}"
now_ms
echo "$verb_done: confirmed by the proxy at $admin_url (generation ${applied_generation:-?}, $(( now - started_ms )) ms)"
if [ -n "$drain_s" ]; then
  drain
  now_ms
  echo "Drained: no request is in flight to the backend ($(( now - started_ms )) ms)"
fi
