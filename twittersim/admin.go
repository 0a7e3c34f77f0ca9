package twittersim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// RenameRequest is the body of POST /sim/accounts/rename.
type RenameRequest struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// SuspendRequest is the body of POST /sim/accounts/suspend.
type SuspendRequest struct {
	Username string `json:"username"`
}

// PostRequest is the body of POST /sim/accounts/post.
type PostRequest struct {
	Username string `json:"username"`
	Count    int    `json:"count"`
}

// AddAccountRequest is the body of POST /sim/accounts; Interval is e.g. "10s" or "0".
type AddAccountRequest struct {
	Username string `json:"username"`
	Interval string `json:"interval"`
}

// adminError is the body of a failed admin request.
type adminError struct {
	Error string `json:"error"`
}

// adminRoutes registers the admin and ground-truth API. It needs no token.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	s.stateRoutes(mux)
	s.accountRoutes(mux)
}

// stateRoutes serve health, ground truth, statistics, pausing and faults.
func (s *Server) stateRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /sim/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeRaw(w, http.StatusOK, "text/plain; charset=utf-8", "ok")
	})
	mux.HandleFunc("GET /sim/tweets", s.adminTweets)
	mux.HandleFunc("GET /sim/stats", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, contentJSON, s.Stats())
	})
	mux.HandleFunc("POST /sim/reset-stats", noContent(s.ResetStats))
	mux.HandleFunc("POST /sim/pause", noContent(s.Pause))
	mux.HandleFunc("POST /sim/resume", noContent(s.Resume))
	mux.HandleFunc("GET /sim/faults", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, contentJSON, s.Faults())
	})
	mux.HandleFunc("POST /sim/faults", adminCall(func(in FaultSpec) ([]FaultSpec, error) {
		if err := s.SetFault(in); err != nil {
			return nil, err
		}
		return s.Faults(), nil
	}))
	mux.HandleFunc("DELETE /sim/faults", noContent(s.ClearFaults))
}

// accountRoutes serve the account operations.
func (s *Server) accountRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /sim/accounts", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, contentJSON, s.Accounts())
	})
	mux.HandleFunc("POST /sim/accounts", adminCall(s.addAccountRequest))
	mux.HandleFunc("POST /sim/accounts/rename", adminCall(func(in RenameRequest) (AccountInfo, error) {
		return s.Rename(in.From, in.To)
	}))
	mux.HandleFunc("POST /sim/accounts/suspend", adminCall(func(in SuspendRequest) (AccountInfo, error) {
		return s.Suspend(in.Username)
	}))
	mux.HandleFunc("POST /sim/accounts/post", adminCall(func(in PostRequest) ([]TruthTweet, error) {
		return s.Post(in.Username, in.Count)
	}))
}

func (s *Server) addAccountRequest(in AddAccountRequest) (AccountInfo, error) {
	d, err := ParseInterval(in.Interval)
	if err != nil {
		return AccountInfo{}, fmt.Errorf("add account %q: %w", in.Username, err)
	}
	return s.AddAccount(AccountSpec{Username: in.Username, Interval: d})
}

func (s *Server) adminTweets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var out []TruthTweet
	var err error
	switch {
	case q.Has("username"):
		out, err = s.Truth(q.Get("username"))
	case q.Has("query"):
		out, err = s.TruthQuery(q.Get("query"))
	default:
		err = errors.New("give username or query")
	}
	if err != nil {
		writeAdminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, contentJSON, nonNil(out))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// noContent adapts an action without input or output to an admin handler.
func noContent(fn func()) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		fn()
		w.WriteHeader(http.StatusNoContent)
	}
}

// adminCall adapts fn, which takes a JSON body and returns a JSON answer, to an admin
// handler.
func adminCall[In, Out any](fn func(In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			writeAdminError(w, fmt.Errorf("decode request body: %w", err))
			return
		}
		out, err := fn(in)
		if err != nil {
			writeAdminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, contentJSON, out)
	}
}

func writeAdminError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	if errors.Is(err, ErrUnknownAccount) {
		status = http.StatusNotFound
	}
	writeJSON(w, status, contentJSON, adminError{Error: err.Error()})
}
