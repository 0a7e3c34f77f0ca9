package twittersim

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
)

// statusRecorder remembers the status a handler sent, for the statistics.
type statusRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (rw *statusRecorder) WriteHeader(status int) {
	if rw.status == 0 {
		rw.status = status
	}
	rw.ResponseWriter.WriteHeader(status)
}

func (rw *statusRecorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.ResponseWriter.Write(b)
}

// Hijack hands the connection over, as the reset fault needs.
func (rw *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	rw.hijacked = true
	return http.NewResponseController(rw.ResponseWriter).Hijack()
}

func (rw *statusRecorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

func (rw *statusRecorder) outcome(r *http.Request) string {
	switch {
	case rw.hijacked:
		return OutcomeReset
	case rw.status != 0:
		return strconv.Itoa(rw.status)
	case r.Context().Err() != nil:
		return OutcomeCanceled
	}
	return strconv.Itoa(http.StatusOK)
}

func (s *Server) countRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rw, r)
		s.stats.record(groupOf(r.URL.Path), rw.outcome(r))
	})
}
