package twitterapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	twitter "github.com/g8rswimmer/go-twitter/v2"
)

// Kind classifies a failed request by what the caller should do about it.
type Kind string

// Kinds of failure.
const (
	// KindRateLimited: 429 for the endpoint's window; wait for Reset (zero when unknown).
	KindRateLimited Kind = "rate_limited"
	// KindUsageCapped: 429 UsageCapExceeded; waiting for the window does not help.
	KindUsageCapped Kind = "usage_capped"
	// KindCreditsDepleted: 402 on pay-per-use; the account needs a top-up.
	KindCreditsDepleted Kind = "credits_depleted"
	// KindUnauthorized: 401, the bearer token was refused.
	KindUnauthorized Kind = "unauthorized"
	// KindForbidden: 403, the app may not use this endpoint.
	KindForbidden Kind = "forbidden"
	// KindBadRequest: 400 or a request go-twitter refused to send; a bug or bad input.
	KindBadRequest Kind = "bad_request"
	// KindNotFound: 404.
	KindNotFound Kind = "not_found"
	// KindServer: 5xx.
	KindServer Kind = "server"
	// KindNetwork: no answer (connection refused or reset, timeout).
	KindNetwork Kind = "network"
	// KindBadResponse: a 2xx answer whose body is not the JSON expected.
	KindBadResponse Kind = "bad_response"
)

// Error is a failed API request.
type Error struct {
	Kind     Kind
	Endpoint string
	// Status is the HTTP status, 0 when none arrived.
	Status int
	// Title and Detail are the problem's own words, when the body had them.
	Title, Detail string
	// RateLimit is the window state the answer carried, if any.
	RateLimit *RateLimit
	Err       error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Endpoint, strings.ReplaceAll(string(e.Kind), "_", " "))
	if e.Kind == KindRateLimited && e.RateLimit != nil && !e.RateLimit.Reset.IsZero() {
		fmt.Fprintf(&b, " until %s", e.RateLimit.Reset.Format("15:04:05 MST"))
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.Status)
		if e.Detail != "" {
			fmt.Fprintf(&b, ": %s", e.Detail)
		}
		b.WriteString(")")
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether the same request may succeed later without any change.
func (e *Error) Temporary() bool {
	switch e.Kind {
	case KindRateLimited, KindServer, KindNetwork, KindBadResponse:
		return true
	default:
		return false
	}
}

// ResetAt is when a rate-limited endpoint opens again; zero when the answer did not say.
func (e *Error) ResetAt() time.Time {
	if e.RateLimit == nil {
		return time.Time{}
	}
	return e.RateLimit.Reset
}

// classify turns what go-twitter returned into an *Error. When ctx itself has ended, the
// context's error is returned instead: the caller stopped, the API did not fail.
func classify(ctx context.Context, endpoint string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", endpoint, ctx.Err())
	}
	var er *twitter.ErrorResponse
	var he *twitter.HTTPError
	var de *twitter.ResponseDecodeError
	switch {
	case errors.As(err, &er):
		return fromProblem(endpoint, er)
	case errors.As(err, &he):
		return &Error{
			Kind: kindOfStatus(he.StatusCode, "", ""), Endpoint: endpoint, Status: he.StatusCode,
			Detail: http.StatusText(he.StatusCode), RateLimit: rateLimit(he.RateLimit),
		}
	case errors.As(err, &de):
		return &Error{Kind: KindBadResponse, Endpoint: endpoint, Status: http.StatusOK, Err: de.Err}
	case errors.Is(err, twitter.ErrParameter):
		return &Error{Kind: KindBadRequest, Endpoint: endpoint, Err: err}
	default:
		return &Error{Kind: KindNetwork, Endpoint: endpoint, Err: withoutURL(err)}
	}
}

func fromProblem(endpoint string, er *twitter.ErrorResponse) *Error {
	detail := er.Detail
	if msgs := problemMessages(er.Errors); msgs != "" {
		detail = msgs // "One or more parameters ... invalid" says less than the messages
	}
	return &Error{
		Kind:      kindOfStatus(er.StatusCode, er.Title, er.Type),
		Endpoint:  endpoint,
		Status:    er.StatusCode,
		Title:     er.Title,
		Detail:    detail,
		RateLimit: rateLimit(er.RateLimit),
	}
}

// problemMessages joins the messages of a problem's errors, which say which parameter was
// wrong and why.
func problemMessages(errs []twitter.Error) string {
	var msgs []string
	for _, e := range errs {
		if e.Message != "" {
			msgs = append(msgs, e.Message)
		}
	}
	return strings.Join(msgs, "; ")
}

// kindOfStatus classifies by status and, for 429 and 402, by the problem's title and type.
// Problem types arrive under both API hosts, so only their path suffix is compared.
func kindOfStatus(status int, title, typ string) Kind {
	switch {
	case status == http.StatusTooManyRequests && (title == "UsageCapExceeded" || strings.HasSuffix(typ, "/usage-capped")):
		return KindUsageCapped
	case status == http.StatusPaymentRequired || strings.HasSuffix(typ, "/credits-depleted"):
		return KindCreditsDepleted
	case status == http.StatusTooManyRequests:
		return KindRateLimited
	case status == http.StatusUnauthorized:
		return KindUnauthorized
	case status == http.StatusForbidden:
		return KindForbidden
	case status == http.StatusNotFound:
		return KindNotFound
	case status >= 500:
		return KindServer
	default:
		return KindBadRequest
	}
}

// withoutURL drops the request URL from a transport error: it is long and adds nothing the
// endpoint label does not say.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
