#!/usr/bin/env bash
# The lint gate: gofmt, go vet, golangci-lint (pinned in tools/go.mod), shellcheck on every
# shell script, yamllint on every YAML file, and promtool on the Prometheus files. Any
# finding fails it.
set -euo pipefail
cd "$(dirname "$0")/.."

# files lists the tracked and new files matching the patterns that exist in the work tree.
files() {
  git ls-files --cached --others --exclude-standard -- "$@" | while read -r f; do
    if [ -e "$f" ]; then echo "$f"; fi
  done
}

echo "lint: gofmt"
mapfile -t gofiles < <(files '*.go')
unformatted=$(gofmt -l "${gofiles[@]}")
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "lint: go vet"
go vet ./...
go vet -tags outage ./e2e/

echo "lint: golangci-lint"
go tool -modfile=tools/go.mod golangci-lint run ./...

echo "lint: deploytest module (go vet, golangci-lint)"
(cd deploytest && go vet ./... && go tool -modfile=../tools/go.mod golangci-lint run --config ../.golangci.yml ./...)

echo "lint: shellcheck"
mapfile -t scripts < <(files '*.sh' '.ci/run')
shellcheck "${scripts[@]}"

echo "lint: yamllint"
mapfile -t yamls < <(files '*.yml' '*.yaml')
yamllint --strict -c .yamllint.yml "${yamls[@]}"

if [ -f prometheus/prometheus.yml ]; then
  echo "lint: promtool"
  promtool check config prometheus/prometheus.yml
  mapfile -t rules < <(files 'prometheus/rules/*.yml')
  promtool check rules "${rules[@]}"
  mapfile -t ruletests < <(files 'prometheus/tests/*.yml')
  if [ ${#ruletests[@]} -gt 0 ]; then
    promtool test rules "${ruletests[@]}"
  fi
fi
echo "lint: no findings"
