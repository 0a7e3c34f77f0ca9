package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/twittersim"
)

func envOf(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestParseOptions_FlagsWinOverEnvironmentOverDefaults(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(o options) bool
	}{
		{"defaults", nil, nil, func(o options) bool {
			return o.addr == "127.0.0.1:8081" && o.token == "demo-token" && o.seed == 1 &&
				len(o.accounts) == 4 && o.searchDelay == 30*time.Second && o.history == 0 &&
				o.speed == 1 && o.rateLimits == twittersim.DefaultRateLimits() && o.replay == ""
		}},
		{"environment", nil, map[string]string{
			"SIM_ADDR": ":8081", "SIM_SEED": "7", "SIM_ACCOUNTS": "a:1s", "SIM_SEARCH_DELAY": "0s",
			"SIM_HISTORY": "2h", "SIM_SPEED": "10", "SIM_RATE_LIMITS": "search=60",
			"SIM_REPLAY": "testdata", "SIM_TOKEN": "t",
		}, func(o options) bool {
			return o.addr == ":8081" && o.seed == 7 && len(o.accounts) == 1 && o.searchDelay == 0 &&
				o.history == 2*time.Hour && o.speed == 10 && o.rateLimits.Search == 60 &&
				o.replay == "testdata" && o.token == "t"
		}},
		{
			"flag wins",
			[]string{"-seed", "3", "-accounts", "b:2s,c:0"},
			map[string]string{"SIM_SEED": "7", "SIM_ACCOUNTS": "a:1s"},
			func(o options) bool { return o.seed == 3 && len(o.accounts) == 2 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOptions(tt.args, envOf(tt.env), &bytes.Buffer{})
			if err != nil || !tt.check(o) {
				t.Errorf("parseOptions = %+v, %v", o, err)
			}
		})
	}
}

func TestRun_BadValuesPrintOneLineAndExit2(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{
			"accounts from env", nil,
			map[string]string{"SIM_ACCOUNTS": "x:y"},
			`twittersim: SIM_ACCOUNTS: "x:y": interval "y" is not a duration (use e.g. 30s)` + "\n",
		},
		{
			"accounts flag",
			[]string{"-accounts", "x:y"},
			nil,
			`twittersim: -accounts: "x:y": interval "y" is not a duration (use e.g. 30s)` + "\n",
		},
		{
			"seed", nil,
			map[string]string{"SIM_SEED": "one"},
			`twittersim: SIM_SEED: "one" is not an integer` + "\n",
		},
		{"speed", []string{"-speed", "0"}, nil, `twittersim: -speed: "0" is not a positive number` + "\n"},
		{
			"history", nil,
			map[string]string{"SIM_HISTORY": "a week"},
			`twittersim: SIM_HISTORY: "a week" is not a duration (use e.g. 30s)` + "\n",
		},
		{
			"rate limits", nil,
			map[string]string{"SIM_RATE_LIMITS": "search=many"},
			`twittersim: SIM_RATE_LIMITS: "search=many": limit "many" is not a positive integer` + "\n",
		},
		{
			"replay folder",
			[]string{"-replay", "no/such/folder"},
			nil,
			"twittersim: create simulator: load replay folder: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(context.Background(), tt.args, envOf(tt.env), &stderr)
			got := stderr.String()
			if code != 2 || !strings.HasPrefix(got, tt.want) || strings.Count(got, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, got, tt.want)
			}
		})
	}
}

func TestRun_ShutsDownCleanlyWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr bytes.Buffer
	code := run(ctx, []string{"-addr", "127.0.0.1:0"}, envOf(nil), &stderr)
	if code != 0 {
		t.Errorf("exit %d, want 0; stderr %s", code, stderr.String())
	}
	got := stderr.String()
	if strings.Count(got, "\n") != 1 || !strings.Contains(got, `"msg":"simulator listening"`) {
		t.Errorf("stderr = %q, want one JSON start line", got)
	}
}
