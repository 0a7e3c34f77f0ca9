// Package deploytest checks tweetflow's deployment files, the Grafana dashboards and
// provisioning and the Prometheus alerting rules, with the parsers those tools use, against
// each other and against docs/metrics.md. It is a module of its own so that the parsers
// stay out of the product's dependencies: run it with `cd deploytest && go test ./...`.
package deploytest
