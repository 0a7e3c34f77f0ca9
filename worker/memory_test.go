package main

import "testing"

func TestMemoryLimit_GrowsWithConcurrency(t *testing.T) {
	for _, c := range []struct {
		concurrency string
		want        int64
	}{
		{"", 20 << 20}, {"4", 20 << 20}, {"1", 14 << 20}, {"16", 44 << 20}, {"abc", 20 << 20}, {"0", 20 << 20},
	} {
		if got := memoryLimit(c.concurrency); got != c.want {
			t.Errorf("memoryLimit(%q) = %d MiB, want %d MiB", c.concurrency, got>>20, c.want>>20)
		}
	}
}
