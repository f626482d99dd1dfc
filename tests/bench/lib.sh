#!/usr/bin/env bash
# Helpers the benchmark scripts share; source it. It defines functions only.

bench_ports_taken=" "

# Sets the named variable to a loopback port below the ephemeral range that nothing listens on and
# that this script has not handed out before.
free_port() { # variable
  local candidate
  for _ in $(seq 200); do
    candidate=$((20000 + RANDOM % 12000))
    [[ $bench_ports_taken == *" $candidate "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      bench_ports_taken+="$candidate "
      printf -v "$1" '%s' "$candidate"
      return
    fi
  done
  echo "${0##*/}: no free port found" >&2
  exit 1
}

now_ms() { date +%s%3N; }

# Runs the command until it succeeds, for 30 s at most; then gives up, saying what it waited for.
wait_for() { # description command...
  local what=$1; shift
  local deadline=$(( $(now_ms) + 30000 ))
  until "$@" >/dev/null 2>&1; do
    [ "$(now_ms)" -lt "$deadline" ] || { echo "${0##*/}: timed out waiting for $what" >&2; exit 1; }
    sleep 0.05
  done
}

# The median of the numbers on standard input (whitespace or newlines between them); "-" for none.
median() {
  tr ' ' '\n' | sed '/^$/d' | sort -g \
    | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
