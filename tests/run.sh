#!/usr/bin/env bash
# Runs every MaintProxy test from a fresh checkout: installs the Debian packages the end-to-end tests
# use (when missing), restores NuGet packages, builds in Release and runs the suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Real peers for the end-to-end tests: php-fpm and fcgiwrap as FastCGI backends, systemd for
# systemd-socket-activate (socket activation).
packages=(php8.2-fpm php8.2-cli fcgiwrap spawn-fcgi libfcgi-perl procps systemd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages the tests need: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    echo "tests/run.sh: ${missing[*]} missing and not root; install them (apt-get install ${missing[*]}) and run again." >&2
    exit 2
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet build MaintProxy.sln -c Release -nologo -clp:ErrorsOnly

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test MaintProxy.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log" || status=$?

# One plain summary line for any reader of the log.
summary=$(grep -E '^(Passed|Failed)!' "$log" | tail -n1 || true)
passed=$(sed -n 's/.*Passed: *\([0-9]*\).*/\1/p' <<<"$summary")
failed=$(sed -n 's/.*Failed: *\([0-9]*\),.*/\1/p' <<<"$summary")
skipped=$(sed -n 's/.*Skipped: *\([0-9]*\).*/\1/p' <<<"$summary")
echo "Tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [ "$status" = 0 ] && [ "${passed:-0}" = 0 ]; then
  echo "tests/run.sh: no test ran" >&2
  exit 1
fi
exit "$status"
