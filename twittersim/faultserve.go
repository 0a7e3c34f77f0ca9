package twittersim

import (
	"bytes"
	"maps"
	"net"
	"net/http"
	"strconv"
	"time"
)

// headerPolicy says which x-rate-limit headers a fault response carries.
type headerPolicy int

const (
	headersCurrent   headerPolicy = iota // the real state of the group's window
	headersExhausted                     // remaining 0
	headersNone                          // no rate-limit headers
)

// cannedFault is a fault answered with a fixed response.
type cannedFault struct {
	status  int
	ctype   string
	body    string
	headers headerPolicy
}

const bodyHTML = "<!DOCTYPE html>\n<html><head><title>Over capacity</title></head>" +
	"<body><h1>Something is technically wrong.</h1></body></html>\n"

const (
	contentText = "text/plain; charset=utf-8"
	contentHTML = "text/html; charset=utf-8"
)

var cannedFaults = map[FaultMode]cannedFault{
	FaultRateLimit:          {429, contentProblem, bodyTooMany, headersExhausted},
	FaultRateLimitNoHeaders: {429, contentProblem, bodyTooMany, headersNone},
	FaultUsageCap:           {429, contentProblem, bodyUsageCap, headersCurrent},
	FaultCreditsDepleted:    {402, contentProblem, bodyCreditsDepleted, headersCurrent},
	FaultServerError:        {503, contentText, "Service Unavailable", headersCurrent},
	FaultServerErrorJSON:    {500, contentProblem, bodyServerError, headersCurrent},
	FaultNonJSON:            {200, contentHTML, bodyHTML, headersCurrent},
	FaultUnauthorized:       {401, contentProblem, bodyUnauthorized, headersNone},
	FaultForbidden:          {403, contentProblem, bodyForbidden, headersCurrent},
}

// injectFaults answers the requests that an active fault hits.
func (s *Server) injectFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		group := groupOf(r.URL.Path)
		f, ok := s.faults.take(group, s.clock.Now())
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		switch f.spec.Mode {
		case FaultTimeout:
			holdThenServe(w, r, f.spec.delay(), next)
		case FaultReset:
			resetConnection(w)
		case FaultTruncated:
			serveTruncated(w, r, next)
		default:
			s.serveCanned(w, f, group)
		}
	})
}

func (s *Server) serveCanned(w http.ResponseWriter, f activeFault, group string) {
	c := cannedFaults[f.spec.Mode]
	if c.headers != headersNone && group != EndpointOther {
		state := s.limits.peek(group, s.clock.Now())
		if c.headers == headersExhausted {
			state.remaining = 0
			if !f.resetAt.IsZero() {
				state.reset = f.resetAt
			}
		}
		state.setHeaders(w.Header())
	}
	writeRaw(w, c.status, c.ctype, c.body)
}

// holdThenServe waits for delay (real time) and then answers normally, unless the
// client gives up first.
func holdThenServe(w http.ResponseWriter, r *http.Request, delay time.Duration, next http.Handler) {
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-r.Context().Done():
	case <-timer.C:
		next.ServeHTTP(w, r)
	}
}

// resetConnection closes the connection without an answer, with a TCP reset where
// possible.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// serveTruncated answers 200 with the first half of the normal response body.
func serveTruncated(w http.ResponseWriter, r *http.Request, next http.Handler) {
	buf := &bufferedResponse{header: http.Header{}}
	next.ServeHTTP(buf, r)
	body := buf.body.Bytes()
	body = body[:len(body)/2]
	maps.Copy(w.Header(), buf.header)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// bufferedResponse collects a response in memory.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }

func (b *bufferedResponse) WriteHeader(status int) { b.status = status }
