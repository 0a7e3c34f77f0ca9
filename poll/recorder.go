package poll

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/twitterapi"
)

// RecordEvery is how often a worker writes the rate-limit headers it saw last to the store,
// where the dispatcher reads them.
const RecordEvery = time.Second

// RateRecorder keeps the last rate-limit headers of each endpoint and writes them to the
// store when flushed, so that sharing them costs one write per endpoint and flush, not one
// per request. It is safe for concurrent use.
type RateRecorder struct {
	st  *store.Store
	log *zap.Logger
	// Now is the clock that stamps each observation; tests may replace it.
	Now func() time.Time

	mu     sync.Mutex
	latest map[string]seen
}

type seen struct {
	rl twitterapi.RateLimit
	at time.Time
}

// NewRateRecorder returns a recorder writing to st.
func NewRateRecorder(st *store.Store, log *zap.Logger) *RateRecorder {
	return &RateRecorder{st: st, log: log, Now: time.Now, latest: map[string]seen{}}
}

// Observe keeps x's headers, if it carried any; pass it (or call it from)
// twitterapi.Options.Observe.
func (r *RateRecorder) Observe(x twitterapi.Exchange) {
	if x.RateLimit == nil || x.RateLimit.Limit == 0 {
		return
	}
	at := r.Now().UTC()
	r.mu.Lock()
	r.latest[x.Endpoint] = seen{rl: *x.RateLimit, at: at}
	r.mu.Unlock()
}

// Run flushes every RecordEvery until ctx ends; a failed write is logged at debug level and
// the next observation tries again.
func (r *RateRecorder) Run(ctx context.Context) {
	t := time.NewTicker(RecordEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.Flush(ctx); err != nil && ctx.Err() == nil {
				r.log.Debug("rate-limit headers not shared", zap.Error(err))
			}
		}
	}
}

// Flush writes what was observed since the last flush.
func (r *RateRecorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	pending := r.latest
	r.latest = map[string]seen{}
	r.mu.Unlock()
	var errs []error
	for endpoint, s := range pending {
		if err := r.st.ObserveRateLimit(ctx, endpoint, s.rl.Limit, s.rl.Remaining, s.rl.Reset, s.at); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
