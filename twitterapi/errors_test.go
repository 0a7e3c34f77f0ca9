package twitterapi_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/twitterapi"
	"github.com/tweetflow/tweetflow/twittersim"
)

// wrongToken is the token of a client the simulator refuses.
const wrongToken = "tf-wrong-Z9y8X7w6V5u4"

// rateWant says what Error.RateLimit should hold.
type rateWant int

const (
	rateNone      rateWant = iota // no x-rate-limit headers: nil
	rateCurrent                   // the window's real state: endpoint limit, reset at windowEnd
	rateExhausted                 // remaining 0, reset as the rate_limit fault set it
)

// faultReset is the reset_in_seconds of the rate_limit case and the reset it gives.
const faultReset = 90

var faultResetAt = testStart.Add(faultReset * time.Second)

// failureCase is a failure provoked on every endpoint and what the *Error must say.
type failureCase struct {
	name    string
	fault   twittersim.FaultSpec // Mode "" means none
	token   string               // "" means the right one
	timeout time.Duration        // the client's Timeout
	closed  bool                 // the server is gone before the call
	kind    twitterapi.Kind
	status  int
	temp    bool
	rate    rateWant
	inMsg   string // a fragment Error() must contain
	// timedOut: the error is a net.Error whose Timeout() is true. Go words a client
	// timeout in one of three ways, so the message is not compared.
	timedOut bool
}

func TestClient_ClassifiesEveryFailure(t *testing.T) {
	tests := []failureCase{
		{
			name: "rate limit with headers", fault: twittersim.FaultSpec{Mode: twittersim.FaultRateLimit, ResetInSeconds: faultReset},
			kind: twitterapi.KindRateLimited, status: 429, temp: true, rate: rateExhausted,
			inMsg: "rate limited until 09:31:30 UTC (HTTP 429: Too Many Requests)",
		},
		{
			name: "rate limit without headers", fault: twittersim.FaultSpec{Mode: twittersim.FaultRateLimitNoHeaders},
			kind: twitterapi.KindRateLimited, status: 429, temp: true, rate: rateNone,
			inMsg: "rate limited (HTTP 429: Too Many Requests)",
		},
		{
			name: "usage cap", fault: twittersim.FaultSpec{Mode: twittersim.FaultUsageCap},
			kind: twitterapi.KindUsageCapped, status: 429, temp: false, rate: rateCurrent,
			inMsg: "usage capped (HTTP 429: Usage cap exceeded: Monthly product cap)",
		},
		{
			name: "credits depleted", fault: twittersim.FaultSpec{Mode: twittersim.FaultCreditsDepleted},
			kind: twitterapi.KindCreditsDepleted, status: 402, temp: false, rate: rateCurrent,
			inMsg: "credits depleted (HTTP 402: credits depleted)",
		},
		{
			name: "plain-text server error", fault: twittersim.FaultSpec{Mode: twittersim.FaultServerError},
			kind: twitterapi.KindServer, status: 503, temp: true, rate: rateCurrent,
			inMsg: "server (HTTP 503: Service Unavailable)",
		},
		{
			name: "json server error", fault: twittersim.FaultSpec{Mode: twittersim.FaultServerErrorJSON},
			kind: twitterapi.KindServer, status: 500, temp: true, rate: rateCurrent,
			inMsg: "server (HTTP 500: Internal Server Error)",
		},
		{
			name: "truncated 200 body", fault: twittersim.FaultSpec{Mode: twittersim.FaultTruncated},
			kind: twitterapi.KindBadResponse, status: 200, temp: true, rate: rateCurrent,
			inMsg: "bad response (HTTP 200): ",
		},
		{
			name: "html 200 body", fault: twittersim.FaultSpec{Mode: twittersim.FaultNonJSON},
			kind: twitterapi.KindBadResponse, status: 200, temp: true, rate: rateCurrent,
			inMsg: "bad response (HTTP 200): ",
		},
		// Count 2: Go's transport retries a GET once when a reused connection dies.
		{
			name: "connection reset", fault: twittersim.FaultSpec{Mode: twittersim.FaultReset, Count: 2},
			kind: twitterapi.KindNetwork, status: 0, temp: true, rate: rateNone, inMsg: "network: ",
		},
		{
			name: "client timeout", fault: twittersim.FaultSpec{Mode: twittersim.FaultTimeout, DelayMS: 10_000},
			timeout: 100 * time.Millisecond,
			kind:    twitterapi.KindNetwork, status: 0, temp: true, rate: rateNone, inMsg: "network: ", timedOut: true,
		},
		{
			name: "connection refused", closed: true,
			kind: twitterapi.KindNetwork, status: 0, temp: true, rate: rateNone, inMsg: "connection refused",
		},
		{
			name: "unauthorized fault", fault: twittersim.FaultSpec{Mode: twittersim.FaultUnauthorized},
			kind: twitterapi.KindUnauthorized, status: 401, temp: false, rate: rateNone,
			inMsg: "unauthorized (HTTP 401: Unauthorized)",
		},
		{
			name: "wrong token", token: wrongToken,
			kind: twitterapi.KindUnauthorized, status: 401, temp: false, rate: rateNone,
			inMsg: "unauthorized (HTTP 401: Unauthorized)",
		},
		{
			name: "forbidden", fault: twittersim.FaultSpec{Mode: twittersim.FaultForbidden},
			kind: twitterapi.KindForbidden, status: 403, temp: false, rate: rateCurrent,
			inMsg: "forbidden (HTTP 403: This request must be made using an approved developer account",
		},
	}
	for _, tt := range tests {
		for _, endpoint := range endpoints {
			t.Run(tt.name+"/"+endpoint, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t, twittersim.Config{})

				err := tt.provoke(h, endpoint)

				tt.check(t, h, endpoint, err)
			})
		}
	}
}

// provoke sets the case's fault up and makes one request of endpoint.
func (tt failureCase) provoke(h *harness, endpoint string) error {
	if tt.fault.Mode != "" {
		f := tt.fault
		f.Endpoint = endpoint
		h.setFault(f)
	}
	timeout := tt.timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	c := h.client(twitterapi.Options{BearerToken: tt.token, Timeout: timeout})
	if tt.closed {
		h.srv.Close()
	}
	return h.call(context.Background(), c, endpoint)
}

func (tt failureCase) check(t *testing.T, h *harness, endpoint string, err error) {
	t.Helper()
	var ae *twitterapi.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v (%T), want a *twitterapi.Error", err, err)
	}
	if ae.Kind != tt.kind {
		t.Errorf("Kind = %q, want %q (error %q)", ae.Kind, tt.kind, err)
	}
	if ae.Endpoint != endpoint || ae.Status != tt.status {
		t.Errorf("Endpoint, Status = %q, %d, want %q, %d", ae.Endpoint, ae.Status, endpoint, tt.status)
	}
	if got := ae.Temporary(); got != tt.temp {
		t.Errorf("Temporary() = %t, want %t", got, tt.temp)
	}
	checkRateLimit(t, ae, endpoint, tt.rate)
	if ne, ok := errors.AsType[net.Error](err); tt.timedOut && (!ok || !ne.Timeout()) {
		t.Errorf("error = %v, want a net.Error that timed out", err)
	}
	checkMessage(t, err, endpoint+": ", tt.inMsg)
	if strings.Contains(err.Error(), h.srv.URL) {
		t.Errorf("Error() = %q, want it without the request URL", err)
	}
}

func checkRateLimit(t *testing.T, ae *twitterapi.Error, endpoint string, want rateWant) {
	t.Helper()
	rl := ae.RateLimit
	if want == rateNone {
		if rl != nil {
			t.Errorf("RateLimit = %+v, want nil", *rl)
		}
		if got := ae.ResetAt(); !got.IsZero() {
			t.Errorf("ResetAt() = %v, want zero", got)
		}
		return
	}
	if rl == nil {
		t.Errorf("RateLimit = nil, want the window the headers describe")
		return
	}
	wantReset := windowEnd
	if want == rateExhausted {
		wantReset = faultResetAt
		if rl.Remaining != 0 {
			t.Errorf("RateLimit.Remaining = %d, want 0", rl.Remaining)
		}
	}
	if rl.Limit != defaultLimit(endpoint) {
		t.Errorf("RateLimit.Limit = %d, want %d", rl.Limit, defaultLimit(endpoint))
	}
	if !rl.Reset.Equal(wantReset) || rl.Reset.Location() != time.UTC {
		t.Errorf("RateLimit.Reset = %v, want %v", rl.Reset, wantReset)
	}
	if got := ae.ResetAt(); !got.Equal(wantReset) {
		t.Errorf("ResetAt() = %v, want %v", got, wantReset)
	}
}

// checkMessage checks that Error() is one line starting with prefix (the endpoint, say),
// contains every fragment and shows neither the client's token nor the refused one.
func checkMessage(t *testing.T, err error, prefix string, fragments ...string) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("Error() = %q, want one line", msg)
	}
	if !strings.HasPrefix(msg, prefix) {
		t.Errorf("Error() = %q, want it to start with %q", msg, prefix)
	}
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("Error() = %q, want it to contain %q", msg, f)
		}
	}
	for _, secret := range []string{testToken, wrongToken} {
		if strings.Contains(msg, secret) {
			t.Errorf("Error() = %q shows the bearer token %q", msg, secret)
		}
	}
}

func TestClient_EndedCallerContextIsNotAnAPIError(t *testing.T) {
	tests := []struct {
		name string
		// stop ends the caller's context: before the call, or once the request arrived.
		stop func(h *harness, cancel context.CancelFunc)
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{
			name: "cancelled before the call",
			ctx:  func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			stop: func(_ *harness, cancel context.CancelFunc) { cancel() },
			want: context.Canceled,
		},
		{
			name: "cancelled while the server holds the request",
			ctx:  func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			stop: func(h *harness, cancel context.CancelFunc) {
				go func() {
					<-h.arrived
					cancel()
				}()
			},
			want: context.Canceled,
		},
		{
			name: "deadline passed while the server holds the request",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 50*time.Millisecond)
			},
			stop: func(*harness, context.CancelFunc) {},
			want: context.DeadlineExceeded,
		},
	}
	for _, tt := range tests {
		for _, endpoint := range endpoints {
			t.Run(tt.name+"/"+endpoint, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t, twittersim.Config{})
				h.setFault(twittersim.FaultSpec{Mode: twittersim.FaultTimeout, Endpoint: endpoint, DelayMS: 10_000})
				c := h.client(twitterapi.Options{Timeout: 5 * time.Second})
				ctx, cancel := tt.ctx()
				defer cancel()
				tt.stop(h, cancel)

				err := h.call(ctx, c, endpoint)

				if !errors.Is(err, tt.want) {
					t.Fatalf("error = %v, want one wrapping %v", err, tt.want)
				}
				if ae, ok := errors.AsType[*twitterapi.Error](err); ok {
					t.Errorf("error is a *twitterapi.Error of kind %q, want the context's error", ae.Kind)
				}
				if !strings.HasPrefix(err.Error(), endpoint+": ") {
					t.Errorf("Error() = %q, want it to start with %q", err, endpoint+": ")
				}
			})
		}
	}
}
