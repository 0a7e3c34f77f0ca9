package config

import (
	"fmt"
	"strings"
	"testing"
)

func TestConfig_LogFieldsRedactSecrets(t *testing.T) {
	const secret = "S3cr3t-value"
	tests := []struct {
		name  string
		env   []string
		field string
		want  any
	}{
		{
			"broker password", environ("RABBITMQ_PASSWORD=" + secret), "broker_url",
			"amqp://tweetflow:xxxxx@rabbit:5672/%2F",
		},
		{
			"database url password", environ("DATABASE_URL=postgres://tf:" + secret + "@db/tf"), "database_url",
			"postgres://tf:xxxxx@db/tf",
		},
		{
			"database url query password", environ("DATABASE_URL=postgres://db/tf?user=tf&password=" + secret),
			"database_url", "postgres://db/tf?password=xxxxx&user=tf",
		},
		{
			"database dsn password", environ("DATABASE_URL=host=db password='" + secret + " x' user=tf"),
			"database_url", "host=db password=xxxxx user=tf",
		},
		{"token set", environ("TWITTER_BEARER_TOKEN=" + secret), "twitter_bearer_token", "set"},
		{"token unset", environ("TWITTER_BEARER_TOKEN"), "twitter_bearer_token", "unset"},
		{
			"redis backend password", environ("RESULT_BACKEND=redis://" + secret + "@redis:6379/0"),
			"result_backend", "redis://xxxxx@redis:6379/0",
		},
		{
			"amqp backend", environ("RESULT_BACKEND=amqp://tf:" + secret + "@rabbitmq/"),
			"result_backend", "amqp://xxxxx@rabbitmq/",
		},
		{"no backend", environ(), "result_backend", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustLoad(t, Producer, tt.env)
			fields := cfg.LogFields()
			if got := fields[tt.field]; got != tt.want {
				t.Errorf("LogFields()[%q] = %v, want %v", tt.field, got, tt.want)
			}
			for _, text := range []string{
				fmt.Sprint(fields), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg),
				fmt.Sprintf("%+v", *cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%#v", *cfg), cfg.String(),
			} {
				if strings.Contains(text, secret) {
					t.Errorf("printed config %q reveals the secret", text)
				}
			}
		})
	}
}

func TestConfig_StringListsEveryField(t *testing.T) {
	cfg := mustLoad(t, Worker, environ())
	got := fmt.Sprintf("%+v", cfg)
	for key := range cfg.LogFields() {
		if !strings.Contains(got, key+"=") {
			t.Errorf("%%+v = %q, want it to show %s", got, key)
		}
	}
	if !strings.HasPrefix(fmt.Sprintf("%#v", cfg), "config.Config{") {
		t.Errorf("%%#v = %q, want it to start with config.Config{", fmt.Sprintf("%#v", cfg))
	}
}
