# Build, test and run tweetflow. `make help` lists the targets.
.PHONY: help build test lint deploytest demo services tools bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build producer, worker and twittersim into bin/
	go build -o bin/ ./producer ./worker ./twittersim/cmd/twittersim

services: ## start the local PostgreSQL and RabbitMQ if they are down
	bash scripts/services.sh

tools: ## install the Debian tools the lint gate and tests use, if missing
	bash scripts/tools.sh

lint: tools ## gofmt, go vet, golangci-lint, shellcheck, yamllint, promtool: zero findings
	bash scripts/lint.sh

deploytest: ## check compose, Dockerfiles, .dockerignore, dashboards and rules with their own parsers
	cd deploytest && go test -count=1 ./...

test: services tools deploytest ## run the whole test suite against the local RabbitMQ and PostgreSQL
	go test -race -count=1 ./...
	@echo "benchmarks, once each at a tiny size so they cannot rot (timings never fail this)"
	go test -count=1 -run '^$$' -bench . -benchtime 1x ./bench/
	@echo "outage tests: these stop and restart the local RabbitMQ and PostgreSQL, so they run alone"
	go test -tags outage -count=1 -run Outage ./e2e/

bench: services ## measure the pipeline against the raw limits under it; writes BENCHMARKS.md's table
	bash scripts/bench.sh

demo: ## run the pipeline natively against twittersim (Ctrl-C stops it)
	bash scripts/demo.sh
