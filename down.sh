#!/usr/bin/env bash
# Puts MaintProxy into maintenance and returns once the proxy confirms it. See --help.
exec "$(dirname "${BASH_SOURCE[0]}")/maint/maintctl.sh" down "$@"
