package main

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/twitterapi"
)

// recordEvery is how often the rate-limit headers seen last are written to the store, where
// the producer's adaptive schedule reads them.
const recordEvery = time.Second

// rateRecorder keeps the last rate-limit headers of each endpoint and writes them to the
// store once a second, so that sharing them costs one write per endpoint and second, not
// one per request.
type rateRecorder struct {
	st  *store.Store
	log *zap.Logger

	mu     sync.Mutex
	latest map[string]seen
}

type seen struct {
	rl twitterapi.RateLimit
	at time.Time
}

func newRateRecorder(st *store.Store, log *zap.Logger) *rateRecorder {
	return &rateRecorder{st: st, log: log, latest: map[string]seen{}}
}

// observe keeps x's headers, if it carried any.
func (r *rateRecorder) observe(x twitterapi.Exchange) {
	if x.RateLimit == nil || x.RateLimit.Limit == 0 {
		return
	}
	r.mu.Lock()
	r.latest[x.Endpoint] = seen{rl: *x.RateLimit, at: time.Now().UTC()}
	r.mu.Unlock()
}

// run writes what was seen every recordEvery until ctx ends.
func (r *rateRecorder) run(ctx context.Context) {
	t := time.NewTicker(recordEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.flush(ctx)
		}
	}
}

func (r *rateRecorder) flush(ctx context.Context) {
	r.mu.Lock()
	pending := r.latest
	r.latest = map[string]seen{}
	r.mu.Unlock()
	for endpoint, s := range pending {
		err := r.st.ObserveRateLimit(ctx, endpoint, s.rl.Limit, s.rl.Remaining, s.rl.Reset, s.at)
		if err != nil && ctx.Err() == nil {
			r.log.Debug("rate-limit headers not shared", zap.String("endpoint", endpoint), zap.Error(err))
		}
	}
}
