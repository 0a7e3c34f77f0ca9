package twittersim

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrUnknownAccount is returned for a username that no tracked account has.
var ErrUnknownAccount = errors.New("unknown account")

// maxBurst limits Post, to keep a single request's work bounded.
const maxBurst = 100000

// Pause stops the creation of new tweets. The clock keeps running; tweets that would
// have been created while paused are never created.
func (s *Server) Pause() {
	s.withWorld(func(time.Time) { s.world.paused = true })
}

// Resume restarts the creation of tweets from now on.
func (s *Server) Resume() {
	s.withWorld(func(time.Time) { s.world.paused = false })
}

// SetFault switches a fault on. A newer fault for the same requests wins over older ones.
func (s *Server) SetFault(f FaultSpec) error {
	if err := s.faults.set(f, s.clock.Now()); err != nil {
		return fmt.Errorf("set fault: %w", err)
	}
	return nil
}

// ClearFaults switches every fault off.
func (s *Server) ClearFaults() { s.faults.clear() }

// Faults lists the active faults; Count is the number of hits left (0: until cleared).
func (s *Server) Faults() []FaultSpec { return s.faults.list() }

// Stats returns the request counts so far.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// ResetStats sets every request count back to zero.
func (s *Server) ResetStats() { s.stats.reset() }

// Rename gives an account a new username; it keeps its id and tweets, and the old
// name becomes unknown.
func (s *Server) Rename(from, to string) (AccountInfo, error) {
	var info AccountInfo
	var err error
	s.withWorld(func(time.Time) { info, err = s.world.rename(from, to) })
	return info, err
}

// Suspend suspends an account: lookups report it as suspended, it stops posting and
// its tweets leave search results.
func (s *Server) Suspend(username string) (AccountInfo, error) {
	var info AccountInfo
	err := s.onAccount(username, func(a *account) error {
		a.suspended = true
		info = a.info()
		return nil
	})
	return info, err
}

// Post creates count tweets for the account right now, 1 ms apart, and returns them.
func (s *Server) Post(username string, count int) ([]TruthTweet, error) {
	if count < 1 || count > maxBurst {
		return nil, fmt.Errorf("post for %q: count %d is not between 1 and %d", username, count, maxBurst)
	}
	var made []TruthTweet
	err := s.onAccount(username, func(a *account) error {
		if a.suspended {
			return fmt.Errorf("post for %q: account is suspended", username)
		}
		made = truthOf(s.world.burst(a, count, s.clock.Now()))
		return nil
	})
	return made, err
}

// AddAccount adds a tracked account whose first post follows now.
func (s *Server) AddAccount(spec AccountSpec) (AccountInfo, error) {
	var info AccountInfo
	var err error
	s.withWorld(func(now time.Time) {
		var a *account
		if a, err = s.world.addAccount(spec, now); err == nil {
			info = a.info()
		}
	})
	return info, err
}

// Accounts lists the tracked accounts in the order they were added.
func (s *Server) Accounts() []AccountInfo {
	var out []AccountInfo
	s.withWorld(func(time.Time) {
		for _, a := range s.world.accounts {
			out = append(out, a.info())
		}
	})
	return out
}

// onAccount runs fn on the named account with the world up to date.
func (s *Server) onAccount(username string, fn func(*account) error) error {
	var err error
	s.withWorld(func(time.Time) {
		a := s.world.lookup(username)
		if a == nil {
			err = fmt.Errorf("account %q: %w", username, ErrUnknownAccount)
			return
		}
		err = fn(a)
	})
	return err
}

func (w *world) rename(from, to string) (AccountInfo, error) {
	a := w.lookup(from)
	switch {
	case a == nil:
		return AccountInfo{}, fmt.Errorf("rename %q: %w", from, ErrUnknownAccount)
	case !usernamePattern.MatchString(to):
		return AccountInfo{}, fmt.Errorf("rename %q: username %q does not match %s",
			from, to, usernamePattern)
	case w.lookup(to) != nil && w.lookup(to) != a:
		return AccountInfo{}, fmt.Errorf("rename %q: username %q is taken", from, to)
	}
	delete(w.byName, strings.ToLower(a.username))
	a.username = to
	w.byName[strings.ToLower(to)] = a
	return a.info(), nil
}
