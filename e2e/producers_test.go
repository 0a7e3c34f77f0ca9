package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// tickLog is what one producer's log says about its ticks, by due time (Unix seconds).
type tickLog struct {
	published map[int64]int // signatures published
	lost      map[int64]bool
	skipped   int
	newest    int64 // the newest due handled either way
}

// readTicks parses the producer's "tick published" and "tick claimed by another producer"
// events.
func readTicks(t *testing.T, p *proc) tickLog {
	t.Helper()
	l := tickLog{published: map[int64]int{}, lost: map[int64]bool{}}
	due := func(ev map[string]any) int64 {
		s, _ := ev["due"].(string)
		d, err := time.Parse("2006-01-02T15:04:05.000Z0700", s)
		if err != nil {
			t.Fatalf("%s: tick event without a due time: %v", p.Name, ev)
		}
		l.newest = max(l.newest, d.Unix())
		return d.Unix()
	}
	for _, ev := range p.events("tick published") {
		d := due(ev)
		if _, dup := l.published[d]; dup {
			t.Errorf("%s published the tick due %d twice", p.Name, d)
		}
		n, _ := ev["published"].(float64)
		skipped, _ := ev["skipped"].(float64)
		l.published[d] = int(n)
		l.skipped += int(skipped)
	}
	for _, ev := range p.events("tick claimed by another producer") {
		l.lost[due(ev)] = true
	}
	return l
}

// handled reports whether the producer's log shows the tick due at d, published or lost.
func (l tickLog) handled(d int64) bool {
	_, ok := l.published[d]
	return ok || l.lost[d]
}

func TestProducers_TwoPublishEachTickOnceAndTheSurvivorCarriesOn(t *testing.T) {
	const interval = 2 * time.Second
	const sources = 3 // pipelineSources
	s := newStack(t, stackOptions{
		accounts: "alice:700ms,bob:1500ms", sources: pipelineSources, schedule: "@every 2s", backfill: "20s",
	})
	s.worker("worker")
	env := append(slices.Clone(s.env), "LOG_LEVEL=debug") // the last value of a variable wins
	a := start(t, "producer-a", "producer", env, "run")
	// b starts out of step with a: after a tick of a, not with it.
	waitTicks(t, a, 1)
	b := start(t, "producer-b", "producer", env, "run")

	var la, lb tickLog
	eventually(t, 40*time.Second, "both producers see 5 ticks", func() (bool, string) {
		la, lb = readTicks(t, a), readTicks(t, b)
		n := 0
		for d := range la.published {
			if lb.handled(d) {
				n++
			}
		}
		for d := range la.lost {
			if lb.handled(d) {
				n++
			}
		}
		return n >= 5, fmt.Sprintf("%d ticks seen by both", n)
	})
	assertEachTickPublishedOnce(t, la, lb, interval, sources)

	// Kill the producer that published the newest tick; the other must carry on.
	victim, survivor := a, b
	if newestPublished(lb) > newestPublished(la) {
		victim, survivor = b, a
	}
	if err := victim.Cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-victim.Done
	last := newestPublished(readTicks(t, victim))
	eventually(t, 2*interval, survivor.Name+" publishes after "+victim.Name+" is killed", func() (bool, string) {
		got := newestPublished(readTicks(t, survivor))
		return got > last, fmt.Sprintf("newest tick of %s due %d, %s's last due %d", survivor.Name, got,
			victim.Name, last)
	})
}

// assertEachTickPublishedOnce checks the ticks up to the newest both logs have reached: none
// published twice, none missing, each tick's signatures all published, and every tick seen
// by both producers published by one and lost by the other.
func assertEachTickPublishedOnce(t *testing.T, la, lb tickLog, interval time.Duration, sources int) {
	t.Helper()
	upTo := min(la.newest, lb.newest)
	var dues []int64
	total := 0
	for _, l := range []tickLog{la, lb} {
		for d, n := range l.published {
			if d <= upTo {
				dues = append(dues, d)
				total += n
			}
		}
	}
	slices.Sort(dues)
	for i := 1; i < len(dues); i++ {
		switch gap := time.Duration(dues[i]-dues[i-1]) * time.Second; {
		case gap == 0:
			t.Errorf("the tick due %d was published by both producers", dues[i])
		case gap != interval:
			t.Errorf("no tick published between %d and %d, %v apart; want one every %v", dues[i-1], dues[i], gap, interval)
		}
	}
	ticks := slices.Compact(slices.Clone(dues))
	if want := len(ticks) * sources; total != want || la.skipped+lb.skipped != 0 {
		t.Errorf("signatures published = %d (skipped %d) over %d ticks; want %d, none skipped",
			total, la.skipped+lb.skipped, len(ticks), want)
	}
	for _, d := range ticks {
		if !la.handled(d) || !lb.handled(d) {
			continue // published before b started
		}
		_, pa := la.published[d]
		_, pb := lb.published[d]
		if pa == pb || la.lost[d] == pa || lb.lost[d] == pb {
			t.Errorf("tick due %d: a published %v, lost %v; b published %v, lost %v; want one of each",
				d, pa, la.lost[d], pb, lb.lost[d])
		}
	}
}

// newestPublished is the due time of the newest tick the producer published, 0 if none.
func newestPublished(l tickLog) int64 {
	var newest int64
	for d := range l.published {
		newest = max(newest, d)
	}
	return newest
}
