#!/usr/bin/env bash
# Starts the local PostgreSQL and RabbitMQ if they are not running, waits until both answer,
# and enables RabbitMQ's Prometheus plugin. Tests and the native demo need them; CI calls
# this before the tests.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432; }
rabbit_up() { rabbitmq-diagnostics -q check_port_connectivity >/dev/null 2>&1; }

if ! pg_up; then
  echo "services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
if ! rabbit_up; then
  echo "services: starting RabbitMQ"
  rabbitmq-server -detached
fi

for _ in $(seq 1 60); do
  if pg_up && rabbit_up; then
    break
  fi
  sleep 1
done
if ! pg_up || ! rabbit_up; then
  echo "services: PostgreSQL or RabbitMQ did not come up within 60 s" >&2
  exit 1
fi

# The broker's own Prometheus endpoint (port 15692), which the monitoring tests scrape.
if ! rabbitmq-plugins -q is_enabled rabbitmq_prometheus >/dev/null 2>&1; then
  echo "services: enabling rabbitmq_prometheus"
  rabbitmq-plugins -q enable rabbitmq_prometheus >/dev/null
fi
