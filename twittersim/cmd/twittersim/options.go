package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/tweetflow/tweetflow/twittersim"
)

// defaultAccounts is the demo population.
const defaultAccounts = "tweetflowdemo:20s,gopher:45s,rabbit:2m,quiet:0"

// options are the program's settings after flags, environment and defaults.
type options struct {
	addr        string
	token       string
	seed        int64
	accounts    []twittersim.AccountSpec
	searchDelay time.Duration
	history     time.Duration
	speed       float64
	rateLimits  twittersim.RateLimits
	replay      string
}

// setting is one option: a flag, the environment variable behind it and its default.
type setting struct {
	flag, env, def, usage string
	parse                 func(o *options, v string) error
	value                 *string
}

var settings = []*setting{
	{
		flag: "addr", env: "SIM_ADDR", def: "127.0.0.1:8081", usage: "listen address",
		parse: func(o *options, v string) error { o.addr = v; return nil },
	},
	{
		flag: "token", env: "SIM_TOKEN", def: twittersim.DefaultToken, usage: "bearer token to accept",
		parse: func(o *options, v string) error { o.token = v; return nil },
	},
	{flag: "seed", env: "SIM_SEED", def: "1", usage: "generator seed", parse: parseSeed},
	{
		flag: "accounts", env: "SIM_ACCOUNTS", def: defaultAccounts,
		usage: "tracked accounts, name:interval,... (interval 0 = silent)", parse: parseAccounts,
	},
	{
		flag: "search-delay", env: "SIM_SEARCH_DELAY", def: "30s",
		usage: "how long new tweets stay hidden from recent search",
		parse: durationInto(func(o *options) *time.Duration { return &o.searchDelay }),
	},
	{
		flag: "history", env: "SIM_HISTORY", def: "0", usage: "simulated past to generate at start",
		parse: durationInto(func(o *options) *time.Duration { return &o.history }),
	},
	{
		flag: "speed", env: "SIM_SPEED", def: "1", usage: "simulated seconds per real second",
		parse: parseSpeed,
	},
	{
		flag: "rate-limits", env: "SIM_RATE_LIMITS", def: "timeline=10000,search=450,users=300",
		usage: "requests per 15-minute window by group", parse: parseRateLimits,
	},
	{
		flag: "replay", env: "SIM_REPLAY", def: "",
		usage: "folder of recordings to serve instead of generating",
		parse: func(o *options, v string) error { o.replay = v; return nil },
	},
}

// parseOptions reads args, falling back to the environment, then to the defaults.
// Errors name the flag or variable the bad value came from.
func parseOptions(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("twittersim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, s := range settings {
		s.value = fs.String(s.flag, "", fmt.Sprintf("%s (env %s, default %q)", s.usage, s.env, s.def))
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var o options
	for _, s := range settings {
		source, value := s.resolve(given[s.flag], getenv)
		if err := s.parse(&o, value); err != nil {
			return options{}, fmt.Errorf("%s: %w", source, err)
		}
	}
	return o, nil
}

// resolve picks the flag, else the environment variable, else the default.
func (s *setting) resolve(flagGiven bool, getenv func(string) string) (source, value string) {
	if flagGiven {
		return "-" + s.flag, *s.value
	}
	if v := getenv(s.env); v != "" {
		return s.env, v
	}
	return "default " + s.flag, s.def
}

func parseSeed(o *options, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not an integer", v)
	}
	o.seed = n
	return nil
}

func parseAccounts(o *options, v string) (err error) {
	o.accounts, err = twittersim.ParseAccounts(v)
	return err
}

func parseRateLimits(o *options, v string) (err error) {
	o.rateLimits, err = twittersim.ParseRateLimits(v)
	return err
}

// durationInto makes a parser that stores a duration in the field field picks.
func durationInto(field func(*options) *time.Duration) func(*options, string) error {
	return func(o *options, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration (use e.g. 30s)", v)
		}
		*field(o) = d
		return nil
	}
}

func parseSpeed(o *options, v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return fmt.Errorf("%q is not a positive number", v)
	}
	o.speed = f
	return nil
}
