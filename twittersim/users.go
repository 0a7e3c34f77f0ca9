package twittersim

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// maxUsernames is how many usernames GET /2/users/by accepts.
const maxUsernames = 100

// userBody is the body of a single-user lookup.
type userBody struct {
	Data   *apiUser        `json:"data,omitempty"`
	Errors []resourceError `json:"errors,omitempty"`
}

// usersBody is the body of a multi-user lookup.
type usersBody struct {
	Data   []apiUser       `json:"data,omitempty"`
	Errors []resourceError `json:"errors,omitempty"`
}

func (s *Server) userByName(r *http.Request, now time.Time) reply {
	name := r.PathValue("username")
	p := newParams(r.URL.Query(), userParams)
	p.username("username", name)
	objects := parseObjectOptions(p, userExpansionNames)
	if p.failed() {
		return badRequest(p.errs)
	}
	a, problem := s.findUser("username", name)
	if a == nil {
		return okReply(userBody{Errors: []resourceError{problem}})
	}
	u := s.renderer(objects, now).user(a)
	return okReply(userBody{Data: &u})
}

func (s *Server) usersByName(r *http.Request, now time.Time) reply {
	p := newParams(r.URL.Query(), usersParams)
	names := p.usernames()
	objects := parseObjectOptions(p, userExpansionNames)
	if p.failed() {
		return badRequest(p.errs)
	}
	var body usersBody
	rd := s.renderer(objects, now)
	for _, name := range names {
		a, problem := s.findUser("usernames", name)
		if a == nil {
			body.Errors = append(body.Errors, problem)
			continue
		}
		body.Data = append(body.Data, rd.user(a))
	}
	return okReply(body)
}

// findUser looks a tracked account up by name; when it cannot be served it returns
// the error item to report instead.
func (s *Server) findUser(parameter, name string) (*account, resourceError) {
	a := s.world.lookup(name)
	switch {
	case a == nil:
		return nil, userNotFound(parameter, name)
	case a.suspended:
		return nil, userSuspended(parameter, name, a.username)
	}
	return a, resourceError{}
}

// username checks one username against the pattern the API enforces.
func (p *params) username(param, name string) {
	if !usernamePattern.MatchString(name) {
		p.fail(param, name, fmt.Sprintf("The `%s` query parameter value [%s] does not match %s",
			param, name, usernamePattern))
	}
}

// usernames reads the usernames parameter: 1 to 100 comma-separated names.
func (p *params) usernames() []string {
	v := p.q.Get("usernames")
	var names []string
	if v != "" {
		names = strings.Split(v, ",")
	}
	if len(names) == 0 || len(names) > maxUsernames {
		p.fail("usernames", v, fmt.Sprintf("The number of values in the `usernames` query parameter "+
			"list [%d] is not between 1 and %d", len(names), maxUsernames))
		return nil
	}
	for _, name := range names {
		p.username("usernames", name)
	}
	return names
}
