package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestTable_MatchesDecodedFields(t *testing.T) {
	var tags []string
	rt := reflect.TypeFor[rawEnv]()
	for i := range rt.NumField() {
		tags = append(tags, rt.Field(i).Tag.Get("env"))
	}
	var names []string
	for _, v := range table {
		names = append(names, v.name)
	}
	if !slices.Equal(tags, names) {
		t.Errorf("rawEnv tags = %v, want the table's names %v in the same order", tags, names)
	}
}

func TestVars_DefaultsAndRequired(t *testing.T) {
	tests := []struct {
		program      Program
		name         string
		wantDefault  string
		wantRequired bool
		wantSecret   bool
	}{
		{Worker, "METRICS_ADDR", ":9101", false, false},
		{Producer, "METRICS_ADDR", ":9102", false, false},
		{Worker, "TWITTER_BEARER_TOKEN", "", true, true},
		{Producer, "TWITTER_BEARER_TOKEN", "", false, true},
		{Producer, "DATABASE_URL", "", true, true},
		{Worker, "RABBITMQ_VHOST", "/", false, false},
		{Worker, "RESULT_BACKEND", "", false, true},
		{Worker, "TASK_TIMEOUT", "5m", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.program.String()+" "+tt.name, func(t *testing.T) {
			i := slices.IndexFunc(Vars(tt.program), func(v VarDoc) bool { return v.Name == tt.name })
			if i < 0 {
				t.Fatalf("Vars(%v) has no %s", tt.program, tt.name)
			}
			v := Vars(tt.program)[i]
			got := []any{v.Default, v.Required, v.Secret}
			want := []any{tt.wantDefault, tt.wantRequired, tt.wantSecret}
			if !slices.Equal(got, want) {
				t.Errorf("default, required, secret = %v, want %v", got, want)
			}
		})
	}
}

func TestUsage_ListsEveryVariable(t *testing.T) {
	for _, p := range []Program{Producer, Worker} {
		t.Run(p.String(), func(t *testing.T) {
			usage := Usage(p)
			for _, v := range Vars(p) {
				if !strings.Contains(usage, v.Name+" ") {
					t.Errorf("Usage(%v) lacks %s", p, v.Name)
				}
			}
		})
	}
}
