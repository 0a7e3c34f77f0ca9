package twittersim

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// FaultMode names a way the simulated API misbehaves.
type FaultMode string

// The fault modes. Each applies to the requests of one endpoint group, or all of them.
const (
	FaultRateLimit          FaultMode = "rate_limit"            // 429, remaining 0, reset as set
	FaultRateLimitNoHeaders FaultMode = "rate_limit_no_headers" // 429 without x-rate-limit headers
	FaultUsageCap           FaultMode = "usage_cap"             // 429 UsageCapExceeded, headers show room
	FaultCreditsDepleted    FaultMode = "credits_depleted"      // 402 credits-depleted
	FaultServerError        FaultMode = "server_error"          // 503 with a plain-text body
	FaultServerErrorJSON    FaultMode = "server_error_json"     // 500 problem JSON
	FaultTimeout            FaultMode = "timeout"               // answer normally after DelayMS
	FaultReset              FaultMode = "reset"                 // close the connection unanswered
	FaultTruncated          FaultMode = "truncated"             // 200 with the JSON body cut in half
	FaultNonJSON            FaultMode = "non_json"              // 200 with an HTML body
	FaultUnauthorized       FaultMode = "unauthorized"          // 401
	FaultForbidden          FaultMode = "forbidden"             // 403 client-forbidden
)

var faultModes = []FaultMode{
	FaultRateLimit, FaultRateLimitNoHeaders, FaultUsageCap, FaultCreditsDepleted, FaultServerError,
	FaultServerErrorJSON, FaultTimeout, FaultReset, FaultTruncated, FaultNonJSON, FaultUnauthorized,
	FaultForbidden,
}

// DefaultFaultDelay is how long a timeout fault holds a request when DelayMS is 0.
const DefaultFaultDelay = 10 * time.Second

// FaultSpec switches a fault on; it is the JSON body of POST /sim/faults.
type FaultSpec struct {
	// Mode is the kind of fault.
	Mode FaultMode `json:"mode"`
	// Endpoint is timeline, search, users, or all (also when empty).
	Endpoint string `json:"endpoint,omitempty"`
	// Count is how many requests the fault hits; 0 keeps it until cleared.
	Count int `json:"count,omitempty"`
	// ResetInSeconds sets x-rate-limit-reset of a rate_limit fault to that many seconds
	// from when the fault is set; the fault then also ends at that time. 0 reports the
	// end of the current rate-limit window.
	ResetInSeconds int `json:"reset_in_seconds,omitempty"`
	// DelayMS is how long a timeout fault holds each request (default 10 s).
	DelayMS int `json:"delay_ms,omitempty"`
}

func (f FaultSpec) validate() error {
	if !slices.Contains(faultModes, f.Mode) {
		return fmt.Errorf("unknown fault mode %q", f.Mode)
	}
	groups := []string{"", EndpointAll, EndpointTimeline, EndpointSearch, EndpointUsers}
	if !slices.Contains(groups, f.Endpoint) {
		return fmt.Errorf("unknown endpoint %q (want timeline, search, users or all)", f.Endpoint)
	}
	if f.Count < 0 || f.ResetInSeconds < 0 || f.DelayMS < 0 {
		return fmt.Errorf("count, reset_in_seconds and delay_ms must not be negative")
	}
	return nil
}

func (f FaultSpec) delay() time.Duration {
	if f.DelayMS == 0 {
		return DefaultFaultDelay
	}
	return time.Duration(f.DelayMS) * time.Millisecond
}

func (f FaultSpec) covers(group string) bool {
	return f.Endpoint == "" || f.Endpoint == EndpointAll || f.Endpoint == group
}

// activeFault is a fault that is switched on.
type activeFault struct {
	spec    FaultSpec
	left    int       // requests left to hit; 0 = until cleared
	resetAt time.Time // rate_limit: the reported reset; zero = window end
}

// faultBoard holds the active faults; the newest matching one wins.
type faultBoard struct {
	mu     sync.Mutex
	active []*activeFault
}

func (b *faultBoard) set(f FaultSpec, now time.Time) error {
	if err := f.validate(); err != nil {
		return err
	}
	a := &activeFault{spec: f, left: f.Count}
	if f.ResetInSeconds > 0 {
		a.resetAt = now.Add(time.Duration(f.ResetInSeconds) * time.Second)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.active = append(b.active, a)
	return nil
}

func (b *faultBoard) clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.active = nil
}

// take returns the fault that hits a request of group at now, counting the hit.
func (b *faultBoard) take(group string, now time.Time) (activeFault, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dropExpired(now)
	for i := len(b.active) - 1; i >= 0; i-- {
		a := b.active[i]
		if !a.spec.covers(group) {
			continue
		}
		hit := *a
		if a.left > 0 {
			if a.left--; a.left == 0 {
				b.active = slices.Delete(b.active, i, i+1)
			}
		}
		return hit, true
	}
	return activeFault{}, false
}

// dropExpired ends the rate_limit faults whose reset time has passed.
func (b *faultBoard) dropExpired(now time.Time) {
	b.active = slices.DeleteFunc(b.active, func(a *activeFault) bool {
		return !a.resetAt.IsZero() && !now.Before(a.resetAt)
	})
}

// list returns the specs of the active faults, oldest first.
func (b *faultBoard) list() []FaultSpec {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]FaultSpec, len(b.active))
	for i, a := range b.active {
		out[i] = a.spec
		out[i].Count = a.left
	}
	return out
}
