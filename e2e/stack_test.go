package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/twittersim"
)

// stack is one installation: its own database and vhost, a simulator, and the programs.
type stack struct {
	t       *testing.T
	env     []string
	sources string // path of the sources file
	sim     *twittersim.Client
	db      *pgxpool.Pool
}

type stackOptions struct {
	accounts string // twittersim -accounts
	sources  string // contents of the sources file
	schedule string
	backfill string
	simArgs  []string // more twittersim flags
	env      []string // more variables for the programs
}

func newStack(t *testing.T, o stackOptions) *stack {
	t.Helper()
	dbURL := testenv.Database(t)
	brokerURL := testenv.Vhost(t)
	simAddr := freeAddr(t)
	start(t, "twittersim", "twittersim", nil, append([]string{
		"-addr", simAddr, "-accounts", o.accounts,
		"-search-delay", "1s", "-seed", "11",
	}, o.simArgs...)...)
	sim := twittersim.NewClient("http://" + simAddr)
	eventually(t, 20*time.Second, "twittersim answers", func() (bool, string) {
		err := sim.Healthz(context.Background())
		return err == nil, fmt.Sprint(err)
	})
	path := filepath.Join(t.TempDir(), "sources.yml")
	if err := os.WriteFile(path, []byte(o.sources), 0o600); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st := &stack{t: t, sources: path, sim: sim, db: pool, env: []string{
		"RABBITMQ_URL=" + brokerURL, "DATABASE_URL=" + dbURL,
		"TWITTER_API_URL=http://" + simAddr, "TWITTER_BEARER_TOKEN=" + twittersim.DefaultToken,
		"SOURCES_FILE=" + path, "FETCH_SCHEDULE=" + o.schedule, "BACKFILL_WINDOW=" + o.backfill,
		"METRICS_ADDR=", "LOG_LEVEL=info", "SHUTDOWN_GRACE=20s",
	}}
	st.env = append(st.env, o.env...)
	return st
}

func (s *stack) worker(name string) *proc { return start(s.t, name, "worker", s.env) }

func (s *stack) producer(args ...string) *proc {
	return start(s.t, "producer "+args[0], "producer", s.env, args...)
}

// expected is what the database must hold for one source: the simulator's tweets created
// at or after the source's backfill bound.
func (s *stack) expected(kind, value string) (map[string]twittersim.TruthTweet, error) {
	var from *time.Time
	err := s.db.QueryRow(context.Background(), `SELECT backfill_from FROM sources WHERE kind = $1 AND value = $2`,
		kind, strings.ToLower(value)).Scan(&from)
	if err != nil || from == nil {
		return nil, fmt.Errorf("source %s:%s has no backfill bound yet: %w", kind, value, err)
	}
	var truth []twittersim.TruthTweet
	if kind == "user" {
		truth, err = s.sim.Truth(context.Background(), value)
	} else {
		truth, err = s.sim.TruthQuery(context.Background(), value)
	}
	if err != nil {
		return nil, err
	}
	out := map[string]twittersim.TruthTweet{}
	for _, tw := range truth {
		if !tw.CreatedAt.Before(from.Truncate(time.Second)) {
			out[tw.ID] = tw
		}
	}
	return out, nil
}

// storedTweets returns id → text of the tweets linked to the source.
func (s *stack) storedTweets(kind, value string) (map[string]string, error) {
	rows, err := s.db.Query(context.Background(), `SELECT t.id::text, t.text FROM tweets t
		JOIN tweet_sources ts ON ts.tweet_id = t.id JOIN sources src ON src.id = ts.source_id
		WHERE src.kind = $1 AND src.value = $2`, kind, strings.ToLower(value))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, err
		}
		out[id] = text
	}
	return out, rows.Err()
}

// diff compares a source's stored tweets with the truth: "" when they are the same set
// with the same full texts.
func (s *stack) diff(kind, value string) string {
	want, err := s.expected(kind, value)
	if err != nil {
		return err.Error()
	}
	got, err := s.storedTweets(kind, value)
	if err != nil {
		return err.Error()
	}
	var problems []string
	for id, tw := range want {
		text, ok := got[id]
		if !ok {
			problems = append(problems, "missing "+id)
		} else if text != tw.FullText {
			problems = append(problems, fmt.Sprintf("text of %s = %q, want %q", id, text, tw.FullText))
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			problems = append(problems, "unexpected "+id)
		}
	}
	sort.Strings(problems)
	if len(problems) > 5 {
		problems = append(problems[:5], fmt.Sprintf("and %d more", len(problems)-5))
	}
	if len(problems) > 0 {
		return fmt.Sprintf("%s:%s: %d stored, %d expected: %s", kind, value, len(got), len(want),
			strings.Join(problems, "; "))
	}
	return ""
}

// frozenAfter waits until the simulator has posted at least n tweets for user, then pauses
// it, so the truth stops moving.
func (s *stack) frozenAfter(t *testing.T, user string, n int) {
	t.Helper()
	eventually(t, 30*time.Second, "simulator has tweets", func() (bool, string) {
		truth, err := s.sim.Truth(context.Background(), user)
		return err == nil && len(truth) >= n, fmt.Sprintf("%d tweets, %v", len(truth), err)
	})
	if err := s.sim.Pause(context.Background()); err != nil {
		t.Fatal(err)
	}
}
