package twittersim

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultToken is the bearer token accepted when Config.Token is empty.
const DefaultToken = "demo-token"

// Config configures a simulator.
type Config struct {
	// Seed makes the generated accounts and tweets reproducible.
	Seed int64
	// Accounts are the tracked accounts.
	Accounts []AccountSpec
	// Token is the bearer token the API accepts; empty means DefaultToken.
	Token string
	// Clock is the simulated time; nil means RealClock().
	Clock Clock
	// Start is when the simulation begins; zero means Clock.Now() at New.
	Start time.Time
	// History is how much simulated past before Start to generate tweets for.
	History time.Duration
	// SearchDelay hides the newest tweets from recent search (the real API: 30 s).
	// Zero shows tweets at once.
	SearchDelay time.Duration
	// RateLimits are the per-window limits; zero fields take the defaults.
	RateLimits RateLimits
	// ReplayDir, when set, makes the /2/ API answer from the recordings in that
	// folder instead of from the generator.
	ReplayDir string
}

// Server is a simulated Twitter API. It is safe for concurrent use.
type Server struct {
	cfg     Config
	clock   Clock
	mu      sync.Mutex // guards world
	world   *world
	limits  *limiter
	faults  *faultBoard
	stats   *statsBook
	replay  []Recording
	handler http.Handler
}

// New creates a simulator. It fails on invalid accounts or, with a ReplayDir, on the
// first recording that cannot be used.
func New(cfg Config) (*Server, error) {
	if cfg.Clock == nil {
		cfg.Clock = RealClock()
	}
	if cfg.Token == "" {
		cfg.Token = DefaultToken
	}
	if cfg.Start.IsZero() {
		cfg.Start = cfg.Clock.Now()
	}
	w, err := newWorld(cfg.Seed, cfg.Accounts, cfg.Start, cfg.Start.Add(-cfg.History))
	if err != nil {
		return nil, fmt.Errorf("create simulator: %w", err)
	}
	s := &Server{cfg: cfg, clock: cfg.Clock, world: w, faults: &faultBoard{}, stats: newStatsBook()}
	s.limits = newLimiter(cfg.RateLimits)
	if cfg.ReplayDir != "" {
		if s.replay, err = LoadRecordings(cfg.ReplayDir); err != nil {
			return nil, fmt.Errorf("create simulator: %w", err)
		}
	}
	s.handler = s.routes()
	s.withWorld(func(time.Time) {}) // generate the history now rather than on the first request
	return s, nil
}

// Handler returns the HTTP handler serving the API under /2/ and the admin API
// under /sim/.
func (s *Server) Handler() http.Handler { return s.handler }

// Now returns the simulator's current time.
func (s *Server) Now() time.Time { return s.clock.Now() }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.adminRoutes(mux)
	api := s.limitRate(s.apiRoutes())
	if s.replay != nil {
		api = http.HandlerFunc(s.serveReplay)
	}
	mux.Handle("/2/", s.countRequests(s.injectFaults(s.requireToken(api))))
	return mux
}

func (s *Server) apiRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2/users/by/username/{username}", s.answer(s.userByName))
	mux.HandleFunc("GET /2/users/by", s.answer(s.usersByName))
	mux.HandleFunc("GET /2/users/{id}/tweets", s.answer(s.timeline))
	mux.HandleFunc("GET /2/tweets/search/recent", s.answer(s.search))
	mux.HandleFunc("/2/", func(w http.ResponseWriter, _ *http.Request) {
		writeRaw(w, http.StatusNotFound, contentProblem, bodyNotFoundPage)
	})
	return mux
}

// answer runs an API handler against the world brought up to date.
func (s *Server) answer(fn func(*http.Request, time.Time) reply) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var rp reply
		s.withWorld(func(now time.Time) { rp = fn(r, now) })
		rp.write(w)
	}
}

// withWorld locks the world, creates every tweet due by now and calls fn.
func (s *Server) withWorld(fn func(now time.Time)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.world.advance(now)
	fn(now)
}

// groupOf names the endpoint group of an API path.
func groupOf(path string) string {
	switch {
	case path == "/2/tweets/search/recent":
		return EndpointSearch
	case strings.HasPrefix(path, "/2/users/by"):
		return EndpointUsers
	case strings.HasPrefix(path, "/2/users/") && strings.HasSuffix(path, "/tweets"):
		return EndpointTimeline
	}
	return EndpointOther
}

func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || token != s.cfg.Token {
			writeRaw(w, http.StatusUnauthorized, contentProblem, bodyUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) limitRate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		group := groupOf(r.URL.Path)
		if group == EndpointOther {
			next.ServeHTTP(w, r)
			return
		}
		state, ok := s.limits.take(group, s.clock.Now())
		state.setHeaders(w.Header())
		if !ok {
			writeRaw(w, http.StatusTooManyRequests, contentProblem, bodyTooMany)
			return
		}
		next.ServeHTTP(w, r)
	})
}
