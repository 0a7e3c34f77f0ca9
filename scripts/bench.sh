#!/usr/bin/env bash
# Runs the benchmarks at full size and writes their table into BENCHMARKS.md, between the
# results markers. BENCH selects benchmarks by name (a go test -bench pattern).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
table=$(mktemp)
trap 'rm -f "$table"' EXIT
go test -run '^$' -bench "${BENCH:-.}" -benchtime 1x -timeout 90m ./bench/ \
	-args -size full -table "$table"
python3 - "$table" <<'PY'
import re, sys, datetime, platform, os
table = open(sys.argv[1]).read()
doc = open("BENCHMARKS.md").read()
stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
cpus = os.cpu_count()
block = f"<!-- results:begin -->\nMeasured {stamp} on {platform.machine()}, {cpus} CPUs, with `make bench`.\n\n{table}<!-- results:end -->"
new, n = re.subn(r"<!-- results:begin -->.*?<!-- results:end -->", lambda _: block, doc, flags=re.S)
if n != 1:
    sys.exit("BENCHMARKS.md: the results markers are missing")
open("BENCHMARKS.md", "w").write(new)
PY
echo "BENCHMARKS.md updated"
