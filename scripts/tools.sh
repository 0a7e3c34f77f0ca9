#!/usr/bin/env bash
# Installs the Debian tools that the lint gate and the tests need when they are missing:
# ShellCheck, yamllint and Prometheus (promtool, and the server the monitoring tests scrape).
set -euo pipefail

missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v yamllint >/dev/null || missing+=(yamllint)
command -v promtool >/dev/null || missing+=(prometheus)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
