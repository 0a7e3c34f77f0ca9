package store

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/twitterapi"
)

// BenchmarkSavePage stores walks of 100-tweet pages on a locked source, the way a walk
// does, and reports the PostgreSQL backends' CPU per 1,000 tweets next to the time.
func BenchmarkSavePage(b *testing.B) {
	ctx := context.Background()
	st, err := Connect(ctx, testenv.Database(b), 4, zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	const perPage = 100
	filler := strings.Repeat("x", 600)
	next := int64(1_800_000_000_000_000_000)
	page := func() []twitterapi.Tweet {
		out := make([]twitterapi.Tweet, perPage)
		for i := range out {
			next--
			raw := fmt.Sprintf(`{"id":"%d","text":"%s","author_id":"7","public_metrics":{"like_count":%d}}`, next, filler, i)
			out[i] = twitterapi.Tweet{
				ID: next, AuthorID: 7, ConversationID: next, Text: filler, CreatedAt: time.Unix(1700000000, 0).UTC(),
				Lang: "en", Metrics: twitterapi.Metrics{Likes: int64(i)}, Raw: []byte(raw),
			}
		}
		return out
	}
	pages := make([][]twitterapi.Tweet, b.N)
	for i := range pages {
		pages[i] = page()
	}
	start, err := st.StartFetch(ctx, "user", "bench", time.Now())
	if err != nil || start.Lock == nil {
		b.Fatal(err)
	}
	defer start.Lock.Release()
	view := start.Lock.Store()
	var pid int
	if err := view.db.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		b.Fatal(err)
	}
	before := procTicks(b, pid)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range pages {
		w := PageWrite{
			SourceID: start.SourceID, Tweets: pages[i], NewestID: pages[0][0].ID, FetchedAt: time.Now(),
			WalkStartedAt: time.Now(),
		}
		if i < len(pages)-1 {
			w.Next = &Walk{Token: "t" + strconv.Itoa(i), NewestID: pages[0][0].ID, StartedAt: time.Now(), Fetched: i * perPage}
		}
		saved, err := view.SavePage(ctx, w)
		if err != nil {
			b.Fatal(err)
		}
		if saved.New != perPage {
			b.Fatalf("new %d, want %d", saved.New, perPage)
		}
	}
	b.StopTimer()
	cpu := time.Duration(procTicks(b, pid)-before) * 10 * time.Millisecond
	b.ReportMetric(cpu.Seconds()/float64(b.N*perPage)*1000, "pgCPUs/1000tweets")
}

func procTicks(b *testing.B, pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	sy, _ := strconv.ParseInt(f[12], 10, 64)
	return u + sy
}

// BenchmarkIdleCycle runs what a fetch that finds nothing new costs the database: the start
// batch, the empty last page's save and the unlock, and reports the backends' CPU per fetch.
func BenchmarkIdleCycle(b *testing.B) { idleCycle(b, false) }

// BenchmarkFirstCycle is BenchmarkIdleCycle for sources the start batch creates.
func BenchmarkFirstCycle(b *testing.B) { idleCycle(b, true) }

func idleCycle(b *testing.B, create bool) {
	ctx := context.Background()
	st, err := Connect(ctx, testenv.Database(b), 1, zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	const sources = 200
	for i := range sources {
		if _, err := st.EnsureSource(ctx, "user", "s"+strconv.Itoa(i)); err != nil {
			b.Fatal(err)
		}
	}
	pids := func() map[int]int64 {
		rows, err := st.pool.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		out := map[int]int64{}
		for rows.Next() {
			var pid int
			_ = rows.Scan(&pid)
			out[pid] = procTicks(b, pid)
		}
		return out
	}
	before := pids()
	b.ResetTimer()
	for i := range b.N {
		now := time.Now()
		name := "s" + strconv.Itoa(i%sources)
		if create {
			name = "new" + strconv.Itoa(i)
		}
		start, err := st.StartFetch(ctx, "user", name, now)
		if err != nil || start.Lock == nil {
			b.Fatal(err)
		}
		_, err = start.Lock.Store().SavePage(ctx, PageWrite{
			SourceID: start.SourceID, NewestID: 0, FetchedAt: now, WalkStartedAt: now,
		})
		if err != nil {
			b.Fatal(err)
		}
		start.Lock.Release()
	}
	b.StopTimer()
	var ticks int64
	for pid, t := range pids() {
		ticks += t - before[pid]
	}
	cpu := time.Duration(ticks) * 10 * time.Millisecond
	b.ReportMetric(cpu.Seconds()/float64(b.N)*1e6, "pgCPUµs/fetch")
}

// BenchmarkSetUser records a resolved user, as a first fetch does.
func BenchmarkSetUser(b *testing.B) {
	ctx := context.Background()
	st, err := Connect(ctx, testenv.Database(b), 1, zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	id, err := st.EnsureSource(ctx, "user", "u")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := st.SetUser(ctx, id, int64(i+1), "u", "U", time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}
