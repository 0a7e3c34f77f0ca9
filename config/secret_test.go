package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSecret writes contents to a file in a fresh directory and returns
// its path.
func writeSecret(t *testing.T, contents string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte(contents), 0o600); err != nil {
		t.Fatalf("write secret file: %v", err)
	}
	return path
}

func TestLoad_SecretsFromFiles(t *testing.T) {
	tests := []struct {
		name string
		env  func(path string) []string
		file string
		get  func(*Config) string
		want string
	}{
		{"bearer token", func(p string) []string {
			return environ("TWITTER_BEARER_TOKEN", "TWITTER_BEARER_TOKEN_FILE="+p)
		}, "tok-123\n", func(c *Config) string { return c.TwitterBearerToken }, "tok-123"},
		{"database url", func(p string) []string {
			return environ("DATABASE_URL", "DATABASE_URL_FILE="+p)
		}, "  postgres://db/tf \r\n", func(c *Config) string { return c.DatabaseURL }, "postgres://db/tf"},
		{"broker url", func(p string) []string {
			return environ("RABBITMQ_HOST", "RABBITMQ_USER", "RABBITMQ_URL_FILE="+p)
		}, "amqp://tf:pw@rabbit/\n", func(c *Config) string { return c.BrokerURL }, "amqp://tf:pw@rabbit/"},
		{
			"broker password", func(p string) []string {
				return environ("RABBITMQ_PASSWORD_FILE=" + p)
			}, "p@ss word\n", func(c *Config) string { return c.BrokerURL },
			"amqp://tweetflow:p%40ss%20word@rabbit:5672/%2F",
		},
		{"result backend", func(p string) []string {
			return environ("RESULT_BACKEND_FILE=" + p)
		}, "redis://pw@redis:6379\n", func(c *Config) string { return c.ResultBackend }, "redis://pw@redis:6379"},
		{"empty file variable is unset", func(string) []string {
			return environ("TWITTER_BEARER_TOKEN_FILE=")
		}, "", func(c *Config) string { return c.TwitterBearerToken }, "token-value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustLoad(t, Worker, tt.env(writeSecret(t, tt.file)))
			if got := tt.get(cfg); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoad_SecretFileProblems(t *testing.T) {
	const secret = "very-secret-token"
	good := writeSecret(t, secret)
	empty := writeSecret(t, " \n\t")
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{
			"value and file", environ("TWITTER_BEARER_TOKEN="+secret, "TWITTER_BEARER_TOKEN_FILE="+good),
			"TWITTER_BEARER_TOKEN: both TWITTER_BEARER_TOKEN and TWITTER_BEARER_TOKEN_FILE are set; " +
				"set only one of them",
		},
		{
			"missing file", environ("TWITTER_BEARER_TOKEN", "TWITTER_BEARER_TOKEN_FILE="+missing),
			`TWITTER_BEARER_TOKEN_FILE: cannot read "` + missing + `" (no such file); ` +
				"point it at a readable file holding the secret",
		},
		{
			"directory", environ("DATABASE_URL", "DATABASE_URL_FILE="+t.TempDir()),
			"DATABASE_URL_FILE: cannot read",
		},
		{
			"empty file", environ("DATABASE_URL", "DATABASE_URL_FILE="+empty),
			`DATABASE_URL_FILE: "` + empty + `" is empty; write the secret into it`,
		},
		{
			"password value and file", environ("RABBITMQ_PASSWORD="+secret, "RABBITMQ_PASSWORD_FILE="+good),
			"RABBITMQ_PASSWORD: both RABBITMQ_PASSWORD and RABBITMQ_PASSWORD_FILE are set",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadError(t, Worker, tt.env)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("error = %q, want it to start with %q", got, tt.want)
			}
			if strings.Contains(got, secret) {
				t.Errorf("error %q reveals the secret", got)
			}
		})
	}
}

func TestLoad_SecretsNeverInErrors(t *testing.T) {
	const secret = "Zq9-secret-Zq9"
	tests := []struct {
		name string
		env  []string
	}{
		{"database url with other scheme", environ("DATABASE_URL=mysql://u:" + secret + "@db/tf")},
		{"database url bad escape", environ("DATABASE_URL=postgres://u:" + secret + "%zz@db/tf")},
		{"database dsn broken", environ("DATABASE_URL=host=db password='" + secret)},
		{"database without pairs", environ("DATABASE_URL=" + secret)},
		{"result backend scheme", environ("RESULT_BACKEND=https://" + secret + "@backend")},
		{"result backend unparsable", environ("RESULT_BACKEND=redis://" + secret + "%zz@redis")},
		{"password with a bad host", environ("RABBITMQ_PASSWORD="+secret, "RABBITMQ_HOST=a b")},
		{"token with another problem", environ("TWITTER_BEARER_TOKEN="+secret, "LOG_LEVEL=loud")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := loadError(t, Worker, tt.env); strings.Contains(got, secret) {
				t.Errorf("error %q reveals the secret", got)
			}
		})
	}
}
