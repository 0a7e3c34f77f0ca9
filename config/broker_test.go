package config

import (
	"strings"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
)

func TestLoad_BrokerURLFromParts_RoundTrips(t *testing.T) {
	tests := []struct {
		name                          string
		host, port, user, pass, vhost string
		wantPort                      int
		wantVhost                     string
	}{
		{name: "defaults", host: "rabbit", user: "guest", pass: "guest", wantPort: 5672, wantVhost: "/"},
		{
			name: "reserved characters in the password", host: "rabbit", user: "tf",
			pass: "p@ss:w/rd%#?", wantPort: 5672, wantVhost: "/",
		},
		{
			name: "spaces in the password", host: "rabbit", user: "tf", pass: " two words ",
			wantPort: 5672, wantVhost: "/",
		},
		{
			name: "percent escape lookalike", host: "rabbit", user: "tf", pass: "%2F%41",
			wantPort: 5672, wantVhost: "/",
		},
		{
			name: "reserved characters in the user", host: "rabbit", user: "me@corp:1",
			pass: "x", wantPort: 5672, wantVhost: "/",
		},
		{
			name: "unicode password", host: "rabbit", user: "tf", pass: "pässwörd✓",
			wantPort: 5672, wantVhost: "/",
		},
		{
			name: "named vhost", host: "rabbit", user: "tf", pass: "x", vhost: "tweetflow",
			wantPort: 5672, wantVhost: "tweetflow",
		},
		{
			name: "vhost with slash and space", host: "rabbit", user: "tf", pass: "x",
			vhost: "/team a/b", wantPort: 5672, wantVhost: "/team a/b",
		},
		{
			name: "vhost with percent", host: "rabbit", user: "tf", pass: "x", vhost: "100%",
			wantPort: 5672, wantVhost: "100%",
		},
		{
			name: "custom port", host: "10.0.0.7", port: "5673", user: "tf", pass: "x",
			wantPort: 5673, wantVhost: "/",
		},
		{name: "ipv6 host", host: "::1", user: "tf", pass: "x", wantPort: 5672, wantVhost: "/"},
		{name: "no password", host: "rabbit", user: "tf", wantPort: 5672, wantVhost: "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := environ("RABBITMQ_HOST="+tt.host, "RABBITMQ_USER="+tt.user,
				"RABBITMQ_PASSWORD="+tt.pass, "RABBITMQ_PORT="+tt.port, "RABBITMQ_VHOST="+tt.vhost)
			cfg := mustLoad(t, Worker, env)
			uri, err := amqp.ParseURI(cfg.BrokerURL)
			if err != nil {
				t.Fatalf("ParseURI(BrokerURL) error = %v", err)
			}
			got := []any{uri.Host, uri.Port, uri.Username, uri.Password, uri.Vhost}
			want := []any{tt.host, tt.wantPort, tt.user, tt.pass, tt.wantVhost}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("parsed back %v, want %v", got, want)
					break
				}
			}
		})
	}
}

func TestLoad_BrokerURLEscapesTheDefaultVhost(t *testing.T) {
	cfg := mustLoad(t, Worker, environ("RABBITMQ_PASSWORD=pw"))
	if want := "amqp://tweetflow:pw@rabbit:5672/%2F"; cfg.BrokerURL != want {
		t.Errorf("BrokerURL = %q, want %q", cfg.BrokerURL, want)
	}
}

func TestLoad_BrokerURLGivenWhole(t *testing.T) {
	const raw = "amqps://tf:s3cret@rabbit.example:5671/tweetflow"
	cfg := mustLoad(t, Worker, environ("RABBITMQ_HOST", "RABBITMQ_USER", "RABBITMQ_URL="+raw))
	if cfg.BrokerURL != raw {
		t.Errorf("BrokerURL = %q, want %q", cfg.BrokerURL, raw)
	}
	if want := "amqps://tf:xxxxx@rabbit.example:5671/tweetflow"; cfg.RedactedBrokerURL() != want {
		t.Errorf("RedactedBrokerURL() = %q, want %q", cfg.RedactedBrokerURL(), want)
	}
}

func TestLoad_BrokerSourceProblems(t *testing.T) {
	noParts := []string{"RABBITMQ_HOST", "RABBITMQ_USER"}
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{
			"neither url nor parts", noParts,
			"RABBITMQ_URL: not set; set RABBITMQ_URL (or RABBITMQ_URL_FILE), or RABBITMQ_HOST and RABBITMQ_USER",
		},
		{
			"url and host",
			[]string{"RABBITMQ_URL=amqp://u:p@h/"},
			"RABBITMQ_URL: set together with RABBITMQ_HOST, RABBITMQ_USER; " +
				"set either RABBITMQ_URL or the RABBITMQ_HOST... parts, not both",
		},
		{
			"url and port only", append(noParts, "RABBITMQ_URL=amqp://h/", "RABBITMQ_PORT=5672"),
			"RABBITMQ_URL: set together with RABBITMQ_PORT;",
		},
		{
			"url and vhost only", append(noParts, "RABBITMQ_URL=amqp://h/", "RABBITMQ_VHOST=/"),
			"RABBITMQ_URL: set together with RABBITMQ_VHOST;",
		},
		{
			"url file and password file", append(noParts, "RABBITMQ_URL_FILE=/a", "RABBITMQ_PASSWORD_FILE=/b"),
			"RABBITMQ_URL_FILE: cannot read \"/a\" (no such file); point it at a readable file holding " +
				"the secret; RABBITMQ_URL_FILE: set together with RABBITMQ_PASSWORD_FILE;",
		},
		{
			"parts without host",
			[]string{"RABBITMQ_HOST"},
			"RABBITMQ_HOST: not set; set RABBITMQ_HOST and RABBITMQ_USER, or give the whole RABBITMQ_URL instead",
		},
		{"parts without user", []string{"RABBITMQ_USER"}, "RABBITMQ_USER: not set;"},
		{
			"password alone", append(noParts, "RABBITMQ_PASSWORD=x"),
			"RABBITMQ_HOST: not set; set RABBITMQ_HOST and RABBITMQ_USER, or give the whole RABBITMQ_URL " +
				"instead; RABBITMQ_USER: not set;",
		},
		{
			"host with a slash",
			[]string{"RABBITMQ_HOST=rabbit/x"},
			`RABBITMQ_HOST: "rabbit/x" is not a host name or IP address; set it to a host name or IP address`,
		},
		{"host with a space", []string{"RABBITMQ_HOST=rab bit"}, `RABBITMQ_HOST: "rab bit" is not a host name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadError(t, Worker, environ(tt.env...))
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("error = %q, want it to start with %q", got, tt.want)
			}
		})
	}
}

func TestLoad_MalformedBrokerURLHidesThePassword(t *testing.T) {
	const secret = "Hunter2-S3cret"
	tests := []struct {
		name string
		url  string
		want string
	}{
		{"unescaped at sign", "amqp://tf:" + secret + "@x%zz@rabbit/", "RABBITMQ_URL: is not a valid URL"},
		{"space", "amqp://tf:" + secret + " x@rabbit/", "RABBITMQ_URL: contains whitespace"},
		{
			"wrong scheme", "http://tf:" + secret + "@rabbit/",
			"RABBITMQ_URL: does not start with amqp:// or amqps://",
		},
		{"only the password", secret, "RABBITMQ_URL: does not start with amqp://"},
		{"no host", "amqp://tf:" + secret + "@/", "RABBITMQ_URL: has no host"},
		{"bad port", "amqp://tf:" + secret + "@rabbit:99999999999/", "RABBITMQ_URL: is not a valid AMQP URL"},
		{"bad query", "amqp://tf:" + secret + "@rabbit/?heartbeat=often", "RABBITMQ_URL: is not a valid AMQP URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadError(t, Worker, environ("RABBITMQ_HOST", "RABBITMQ_USER", "RABBITMQ_URL="+tt.url))
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("error = %q, want it to start with %q", got, tt.want)
			}
			if strings.Contains(got, secret) {
				t.Errorf("error %q reveals the password", got)
			}
		})
	}
}

func TestRedactedBrokerURL(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{"password", "amqp://tf:p%40ss@rabbit:5672/%2F", "amqp://tf:xxxxx@rabbit:5672/%2F"},
		{"no password", "amqp://rabbit/", "amqp://rabbit/"},
		{"empty", "", ""},
		{"unparsable", "amqp://tf:p@x%zz@rabbit/", "xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Config{BrokerURL: tt.url}).RedactedBrokerURL(); got != tt.want {
				t.Errorf("RedactedBrokerURL() = %q, want %q", got, tt.want)
			}
		})
	}
}
