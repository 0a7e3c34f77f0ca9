package twittersim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Recording is one recorded exchange, stored as one JSON file in the replay folder.
type Recording struct {
	Request  RecordedRequest  `json:"request"`
	Response RecordedResponse `json:"response"`
	// File is the path the recording was loaded from.
	File string `json:"-"`
}

// RecordedRequest says which requests a recording answers. Every query parameter
// listed must be present with the same value; others may be present too.
type RecordedRequest struct {
	Method string            `json:"method"`
	Path   string            `json:"path"`
	Query  map[string]string `json:"query,omitempty"`
}

// RecordedResponse is the answer: Body is any JSON, BodyText a non-JSON body.
type RecordedResponse struct {
	Status   int               `json:"status"`
	Headers  map[string]string `json:"headers,omitempty"`
	Body     json.RawMessage   `json:"body,omitempty"`
	BodyText *string           `json:"body_text,omitempty"`
}

// LoadRecordings reads every *.json file under dir, in lexical order. The error names
// the first file that is not a valid recording.
func LoadRecordings(dir string) ([]Recording, error) {
	var recs []Recording
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		rec, err := loadRecording(path)
		if err != nil {
			return fmt.Errorf("replay recording %s: %w", path, err)
		}
		recs = append(recs, rec)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load replay folder: %w", err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("load replay folder %s: no .json recordings", dir)
	}
	return recs, nil
}

func loadRecording(path string) (Recording, error) {
	data, err := os.ReadFile(path) //nolint:gosec // a file in the replay folder the operator named
	if err != nil {
		return Recording{}, fmt.Errorf("read: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var rec Recording
	if err := dec.Decode(&rec); err != nil {
		return Recording{}, fmt.Errorf("decode: %w", err)
	}
	rec.File = path
	if err := rec.check(); err != nil {
		return Recording{}, err
	}
	return rec, rec.compactBody()
}

// compactBody stores the JSON body on one line, as the API sends it.
func (rec *Recording) compactBody() error {
	if rec.Response.Body == nil {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, rec.Response.Body); err != nil {
		return fmt.Errorf("compact body: %w", err)
	}
	rec.Response.Body = buf.Bytes()
	return nil
}

func (rec *Recording) check() error {
	if rec.Request.Method == "" {
		rec.Request.Method = http.MethodGet
	}
	res := rec.Response
	switch {
	case !strings.HasPrefix(rec.Request.Path, "/"):
		return fmt.Errorf("request.path %q must start with /", rec.Request.Path)
	case res.Status < 100 || res.Status > 599:
		return fmt.Errorf("response.status %d is not an HTTP status", res.Status)
	case res.Body != nil && res.BodyText != nil:
		return errors.New("response has both body and body_text")
	}
	return nil
}

// matches counts the recorded query parameters r has; -1 means r does not match.
func (rec Recording) matches(r *http.Request) int {
	if r.Method != rec.Request.Method || r.URL.Path != rec.Request.Path {
		return -1
	}
	q := r.URL.Query()
	for name, value := range rec.Request.Query {
		if !q.Has(name) || q.Get(name) != value {
			return -1
		}
	}
	return len(rec.Request.Query)
}

// serveReplay answers from the recording that matches the most query parameters.
func (s *Server) serveReplay(w http.ResponseWriter, r *http.Request) {
	best, bestScore := -1, -1
	for i, rec := range s.replay {
		if score := rec.matches(r); score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		detail := fmt.Sprintf("no recording matches %s %s", r.Method, r.URL.Path)
		writeJSON(w, http.StatusNotFound, contentProblem, problem{
			Title: "Not Found", Detail: detail,
			Type: "about:blank", Status: http.StatusNotFound,
		})
		return
	}
	s.replay[best].Response.write(w)
}

func (res RecordedResponse) write(w http.ResponseWriter) {
	for name, value := range res.Headers {
		w.Header().Set(name, value)
	}
	body, ctype := string(res.Body), contentJSON
	if res.BodyText != nil {
		body, ctype = *res.BodyText, "text/plain; charset=utf-8"
	}
	if ct := w.Header().Get("Content-Type"); ct != "" {
		ctype = ct
	}
	writeRaw(w, res.Status, ctype, body)
}

// problem is a generic RFC 7807 problem body.
type problem struct {
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Type   string `json:"type"`
	Status int    `json:"status,omitempty"`
}
