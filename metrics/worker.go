package metrics

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tweetflow/tweetflow/collector"
	"github.com/tweetflow/tweetflow/tasks"
	"github.com/tweetflow/tweetflow/twitterapi"
)

// Label values are fixed sets: source kinds, endpoints, outcomes and status classes.
var (
	kinds     = []string{tasks.KindUser, tasks.KindQuery}
	endpoints = []string{twitterapi.EndpointUsers, twitterapi.EndpointTimeline, twitterapi.EndpointSearch}
	outcomes  = []string{
		string(collector.OutcomeFetched), string(collector.OutcomeBusy),
		string(collector.OutcomeMissing), string(collector.OutcomeStale), string(collector.OutcomePaused),
		OutcomeFailed,
	}
	statusClasses = []string{"2xx", "3xx", "4xx", "5xx", "error"}
)

// OutcomeFailed labels a fetch that returned an error.
const OutcomeFailed = "failed"

// Fetch holds the worker's fetching metrics. Its methods record one event each.
type Fetch struct {
	duration       *prometheus.HistogramVec
	fetches        *prometheus.CounterVec
	tweetsFetched  *prometheus.CounterVec
	tweetsStored   *prometheus.CounterVec
	tweetsPerFetch *prometheus.HistogramVec
	pagesPerFetch  *prometheus.HistogramVec
	textLength     prometheus.Histogram
	freshness      prometheus.Histogram
	fresh          *prometheus.CounterVec
	freshTarget    time.Duration
	apiRequests    *prometheus.CounterVec
	apiDuration    *prometheus.HistogramVec
	rateLimitHits  *prometheus.CounterVec
	rlRemaining    *prometheus.GaugeVec
	rlLimit        *prometheus.GaugeVec
	rlReset        *prometheus.GaugeVec
	gaps           *prometheus.CounterVec
}

// apiBuckets suit API calls: tens of milliseconds to a minute.
var apiBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// NewFetch registers the fetching metrics on reg; a new tweet stored within freshTarget of
// its creation counts as fresh.
func NewFetch(reg prometheus.Registerer, freshTarget time.Duration) *Fetch {
	f := &Fetch{
		freshTarget: freshTarget,
		fresh: counterVec(reg, "tweets_fresh_total",
			"New posts stored within FRESHNESS_TARGET of their creation.", "kind"),
		duration: histVec(reg, "fetch_duration_seconds", "Time one fetch task took, from lock to last page.",
			apiBuckets, "kind", "outcome"),
		fetches: counterVec(reg, "fetches_total", "Fetch tasks by source kind and outcome.", "kind", "outcome"),
		tweetsFetched: counterVec(reg, "tweets_fetched_total",
			"Tweets the API returned, stored before or not.", "kind"),
		tweetsStored: counterVec(reg, "tweets_stored_total",
			"Tweets written: result=new for first sightings, known for tweets already stored.", "kind", "result"),
		tweetsPerFetch: histVec(reg, "tweets_per_fetch", "Tweets one fetch task returned.",
			[]float64{0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 3200}, "kind"),
		pagesPerFetch: histVec(reg, "pages_per_fetch", "Pages one fetch task read.",
			[]float64{1, 2, 3, 5, 8, 13, 21, 32}, "kind"),
		textLength: hist(reg, "tweet_text_length_characters", "Length of newly stored tweets' full text.",
			[]float64{10, 25, 50, 100, 140, 200, 280, 500, 1000, 4000}),
		freshness: hist(reg, "tweet_freshness_seconds", "Time from a tweet's creation to its storage, new tweets.",
			[]float64{1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400}),
		apiRequests: counterVec(reg, "api_requests_total", "API requests by endpoint and HTTP status class.",
			"endpoint", "status_class"),
		apiDuration: histVec(reg, "api_request_duration_seconds", "Time one API request took.",
			apiBuckets, "endpoint"),
		rateLimitHits: counterVec(reg, "rate_limit_hits_total", "API answers with status 429.", "endpoint"),
		rlRemaining:   gaugeVec(reg, "rate_limit_remaining", "Requests left in the endpoint's window.", "endpoint"),
		rlLimit:       gaugeVec(reg, "rate_limit_limit", "Requests the endpoint's window allows.", "endpoint"),
		rlReset: gaugeVec(reg, "rate_limit_reset_timestamp_seconds",
			"When the endpoint's rate-limit window resets, Unix time.", "endpoint"),
		gaps: counterVec(reg, "gaps_total",
			"Ranges of a source's tweets found out of the API's reach, by cause.", "kind", "cause"),
	}
	f.initLabels()
	return f
}

// initLabels creates every series at zero, so dashboards and rate() see them from the start.
func (f *Fetch) initLabels() {
	for _, k := range kinds {
		f.gaps.WithLabelValues(k, collector.GapTimelineDepth)
		f.gaps.WithLabelValues(k, collector.GapSearchWindow)
		f.tweetsFetched.WithLabelValues(k)
		f.tweetsStored.WithLabelValues(k, "new")
		f.tweetsStored.WithLabelValues(k, "known")
		f.fresh.WithLabelValues(k)
		for _, o := range outcomes {
			f.fetches.WithLabelValues(k, o)
			f.duration.WithLabelValues(k, o)
		}
	}
	for _, e := range endpoints {
		f.rateLimitHits.WithLabelValues(e)
		for _, c := range statusClasses {
			f.apiRequests.WithLabelValues(e, c)
		}
	}
}

// Fetched records a finished fetch task.
func (f *Fetch) Fetched(kind string, res collector.Result, err error, took time.Duration) {
	outcome := string(res.Outcome)
	if err != nil && res.Outcome != collector.OutcomePaused {
		outcome = OutcomeFailed
	}
	f.duration.WithLabelValues(kind, outcome).Observe(took.Seconds())
	f.fetches.WithLabelValues(kind, outcome).Inc()
	if res.Pages == 0 {
		return
	}
	f.tweetsPerFetch.WithLabelValues(kind).Observe(float64(res.Fetched))
	f.pagesPerFetch.WithLabelValues(kind).Observe(float64(res.Pages))
}

// PageStored records one stored page; it implements collector.Observer.
func (f *Fetch) PageStored(kind string, page []twitterapi.Tweet, newIDs []int64, storedAt time.Time) {
	f.tweetsFetched.WithLabelValues(kind).Add(float64(len(page)))
	f.tweetsStored.WithLabelValues(kind, "new").Add(float64(len(newIDs)))
	f.tweetsStored.WithLabelValues(kind, "known").Add(float64(len(page) - len(newIDs)))
	isNew := make(map[int64]bool, len(newIDs))
	for _, id := range newIDs {
		isNew[id] = true
	}
	fresh := 0
	for i := range page {
		if isNew[page[i].ID] {
			age := storedAt.Sub(page[i].CreatedAt)
			f.textLength.Observe(float64(utf8.RuneCountInString(page[i].Text)))
			f.freshness.Observe(max(age.Seconds(), 0))
			if age <= f.freshTarget {
				fresh++
			}
		}
	}
	f.fresh.WithLabelValues(kind).Add(float64(fresh))
}

// GapFound records a gap; it implements collector.GapObserver.
func (f *Fetch) GapFound(kind, cause string) { f.gaps.WithLabelValues(kind, cause).Inc() }

// Exchange records one API request; pass it as twitterapi.Options.Observe.
func (f *Fetch) Exchange(ex twitterapi.Exchange) {
	f.apiRequests.WithLabelValues(ex.Endpoint, statusClass(ex.Status)).Inc()
	f.apiDuration.WithLabelValues(ex.Endpoint).Observe(ex.Duration.Seconds())
	if ex.Status == 429 {
		f.rateLimitHits.WithLabelValues(ex.Endpoint).Inc()
	}
	if rl := ex.RateLimit; rl != nil {
		f.rlRemaining.WithLabelValues(ex.Endpoint).Set(float64(rl.Remaining))
		f.rlLimit.WithLabelValues(ex.Endpoint).Set(float64(rl.Limit))
		f.rlReset.WithLabelValues(ex.Endpoint).Set(float64(rl.Reset.Unix()))
	}
}

func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "error"
	}
	return strconv.Itoa(status/100) + "xx"
}
