# Build, test and run tweetflow. `make help` lists the targets.
.PHONY: help build test demo services

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build producer, worker and twittersim into bin/
	go build -o bin/ ./producer ./worker ./twittersim/cmd/twittersim

services: ## start the local PostgreSQL and RabbitMQ if they are down
	bash scripts/services.sh

test: services ## run the whole test suite against the local RabbitMQ and PostgreSQL
	go test -race -count=1 ./...

demo: ## run the pipeline natively against twittersim (Ctrl-C stops it)
	bash scripts/demo.sh
