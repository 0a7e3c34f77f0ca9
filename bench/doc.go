// Package bench measures tweetflow against the raw limits of the parts under it: each
// benchmark times a step of the pipeline and, in the same run on the same machine, the
// fastest thing the broker, the database or the API simulator can do in its place, and
// reports both and their ratio. The benchmarks live in the package's test files; `make
// bench` runs them at full size and writes BENCHMARKS.md's table, while `make test` runs each
// once at a tiny size so they cannot rot (no timing ever fails a run).
package bench
