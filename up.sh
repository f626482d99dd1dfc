#!/usr/bin/env bash
# Takes MaintProxy out of maintenance and returns once the proxy confirms it. See --help.
exec "$(dirname "${BASH_SOURCE[0]}")/maint/maintctl.sh" up "$@"
