package twittersim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

const (
	contentJSON    = "application/json; charset=utf-8"
	contentProblem = "application/problem+json"
	problemBase    = "https://api.twitter.com/2/problems/"
)

// Fixed problem bodies, byte for byte as the real API sends them.
const (
	bodyUnauthorized = `{"title":"Unauthorized","type":"about:blank","status":401,` +
		`"detail":"Unauthorized"}`
	bodyTooMany = `{"title":"Too Many Requests","detail":"Too Many Requests",` +
		`"type":"about:blank","status":429}`
	bodyUsageCap = `{"account_id":1,"product_name":"standard-basic","title":"UsageCapExceeded",` +
		`"period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap",` +
		`"type":"https://api.twitter.com/2/problems/usage-capped"}`
	bodyCreditsDepleted = `{"title":"Payment Required","detail":"credits depleted",` +
		`"type":"https://api.x.com/2/problems/credits-depleted","status":402}`
	bodyServerError = `{"title":"Internal Server Error","detail":"Internal Server Error",` +
		`"type":"about:blank","status":500}`
	bodyForbidden = `{"client_id":"1","required_enrollment":"Appropriate Level of API Access",` +
		`"registration_url":"https://developer.x.com/en/portal/product","title":"Client Forbidden",` +
		`"detail":"This request must be made using an approved developer account that is enrolled ` +
		`in the requested endpoint. Learn more by visiting our documentation.",` +
		`"reason":"client-not-enrolled","type":"https://api.x.com/2/problems/client-forbidden"}`
	bodyNotFoundPage = `{"title":"Not Found Error","detail":"Sorry, that page does not exist",` +
		`"type":"about:blank","status":404}`
)

const detailInvalid = "One or more parameters to your request was invalid."

// invalidRequest is the body of a 400 response.
type invalidRequest struct {
	Errors []paramError `json:"errors"`
	Title  string       `json:"title"`
	Detail string       `json:"detail"`
	Type   string       `json:"type"`
}

func newInvalidRequest(errs []paramError) invalidRequest {
	return invalidRequest{
		Errors: errs,
		Title:  "Invalid Request",
		Detail: detailInvalid,
		Type:   problemBase + "invalid-request",
	}
}

// resourceError is an item of the errors list of a 200 response: a resource that
// could not be returned.
type resourceError struct {
	Value        string `json:"value"`
	Detail       string `json:"detail"`
	Title        string `json:"title"`
	ResourceType string `json:"resource_type"`
	Parameter    string `json:"parameter"`
	ResourceID   string `json:"resource_id"`
	Type         string `json:"type"`
}

// userNotFound reports a user that does not exist, looked up through parameter.
func userNotFound(parameter, value string) resourceError {
	return resourceError{
		Value:        value,
		Detail:       fmt.Sprintf("Could not find user with %s: [%s].", parameter, value),
		Title:        "Not Found Error",
		ResourceType: "user",
		Parameter:    parameter,
		ResourceID:   value,
		Type:         problemBase + "resource-not-found",
	}
}

// userSuspended reports a suspended user, looked up through parameter.
func userSuspended(parameter, value, username string) resourceError {
	e := userNotFound(parameter, value)
	e.Title = "Forbidden"
	e.Detail = fmt.Sprintf("User has been suspended: [%s].", username)
	return e
}

// reply is a response waiting to be written.
type reply struct {
	status int
	body   any
}

func okReply(body any) reply { return reply{status: http.StatusOK, body: body} }

func badRequest(errs []paramError) reply {
	return reply{status: http.StatusBadRequest, body: newInvalidRequest(errs)}
}

// write sends the reply; 4xx and 5xx bodies go out as problem JSON.
func (rp reply) write(w http.ResponseWriter) {
	ctype := contentJSON
	if rp.status >= 400 {
		ctype = contentProblem
	}
	writeJSON(w, rp.status, ctype, rp.body)
}

// writeJSON encodes v without escaping &, < and > (the API sends them as they are).
func writeJSON(w http.ResponseWriter, status int, ctype string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		writeRaw(w, http.StatusInternalServerError, contentProblem, bodyServerError)
		return
	}
	writeRaw(w, status, ctype, buf.String())
}

// writeRaw sends body as it is.
func writeRaw(w http.ResponseWriter, status int, ctype, body string) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
