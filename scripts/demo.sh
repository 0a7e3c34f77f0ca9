#!/usr/bin/env bash
# Runs the whole pipeline natively: twittersim standing in for the Twitter API, one worker
# and the producer, against the local RabbitMQ and PostgreSQL (database "tweetflow").
# Ctrl-C stops everything. Settings can be overridden through the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh
mkdir -p bin
go build -o bin/ ./producer ./worker ./twittersim/cmd/twittersim

db=${DEMO_DATABASE:-tweetflow}
if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db"
fi

export RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$db?sslmode=disable}
export TWITTER_API_URL=${TWITTER_API_URL:-http://127.0.0.1:8081}
export TWITTER_BEARER_TOKEN=${TWITTER_BEARER_TOKEN:-demo-token}
export SOURCES_FILE=${SOURCES_FILE:-config/sources.demo.yml}
export FETCH_SCHEDULE=${FETCH_SCHEDULE:-@every 10s}
export LOG_FORMAT=${LOG_FORMAT:-console}

pids=()
stop() {
  trap - INT TERM EXIT
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

bin/twittersim -addr 127.0.0.1:8081 -history 10m & pids+=($!)
bin/worker & pids+=($!)
bin/producer run & pids+=($!)
echo "demo: running; in another shell try: bin/producer sources   (Ctrl-C stops the demo)"
wait -n "${pids[@]}"
