package twittersim_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/twittersim"
)

func TestParseAccounts(t *testing.T) {
	tests := []struct {
		spec    string
		want    []twittersim.AccountSpec
		wantErr string
	}{
		{spec: "", want: nil},
		{spec: "gopher:45s", want: []twittersim.AccountSpec{{Username: "gopher", Interval: 45 * time.Second}}},
		{spec: "tweetflowdemo:20s, gopher:45s ,rabbit:2m,quiet:0,", want: []twittersim.AccountSpec{
			{Username: "tweetflowdemo", Interval: 20 * time.Second},
			{Username: "gopher", Interval: 45 * time.Second},
			{Username: "rabbit", Interval: 2 * time.Minute},
			{Username: "quiet", Interval: 0},
		}},
		{spec: "x:y", wantErr: `"x:y": interval "y" is not a duration (use e.g. 30s)`},
		{spec: "gopher", wantErr: `"gopher": want name:interval (e.g. gopher:30s)`},
		{spec: "go-pher:1s", wantErr: `"go-pher:1s": username "go-pher" does not match ^[A-Za-z0-9_]{1,15}$`},
		{spec: "a:-1s", wantErr: `"a:-1s": interval "-1s" is negative`},
		{spec: "a:1s,A:2s", wantErr: `"A:2s": username "A" is listed twice`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := twittersim.ParseAccounts(tt.spec)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestSnowflake_TimeRoundTrip(t *testing.T) {
	tests := []struct {
		id   uint64
		want string
	}{
		{1338971066773905408, "2020-12-15T22:15:53.855Z"},
		{1212092628029698048, "2019-12-31T19:26:16.771Z"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := twittersim.SnowflakeTime(tt.id)
			if s := got.Format("2006-01-02T15:04:05.000Z"); s != tt.want {
				t.Errorf("SnowflakeTime(%d) = %s, want %s", tt.id, s, tt.want)
			}
			if low := twittersim.SnowflakeAt(got); low > tt.id || twittersim.SnowflakeTime(low) != got {
				t.Errorf("SnowflakeAt(%s) = %d, want the lowest id of that millisecond", got, low)
			}
		})
	}
}

func TestManualClock_MovesOnlyWhenTold(t *testing.T) {
	m := twittersim.NewManualClock(testStart)
	if got := m.Advance(time.Minute); !got.Equal(testStart.Add(time.Minute)) || !m.Now().Equal(got) {
		t.Errorf("after Advance: Now = %s, want %s", m.Now(), testStart.Add(time.Minute))
	}
	m.Set(testStart)
	if !m.Now().Equal(testStart) {
		t.Errorf("after Set: Now = %s, want %s", m.Now(), testStart)
	}
}
