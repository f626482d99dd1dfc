#!/usr/bin/env bash
# Puts MaintProxy into maintenance and returns once the proxy confirms it. See --help.
# Run by sh (sh down.sh): start again under bash, which the scripts need.
if [ -z "${BASH_VERSION:-}" ]; then
  command -v bash >/dev/null 2>&1 || { echo "down.sh: needs bash (5.1 or later)" >&2; exit 2; }
  exec bash "$0" "$@"
fi
# Run through a symbolic link (/usr/local/bin/down-site): maint/ is beside the script it points to.
self=${BASH_SOURCE[0]}
[ ! -L "$self" ] || self=$(readlink -f -- "$self")
case $self in */*) here=${self%/*} ;; *) here=. ;; esac
exec "$here/maint/maintctl.sh" down "$@"
