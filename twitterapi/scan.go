package twitterapi

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads a JSON document in one pass, without reflection, and checks its syntax as it
// goes: what it reads and what it skips must both be valid JSON (the grammar json.Valid
// checks), so a page is read once, and each tweet's raw object is a slice of the body rather
// than a copy. It reports where the syntax is broken or a value has the wrong type.
type scanner struct {
	b []byte
	i int
}

var errTruncated = errors.New("unexpected end of JSON input")

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.unexpected(string(c))
	}
	s.i++
	return nil
}

func (s *scanner) unexpected(want string) error {
	if s.i >= len(s.b) {
		return errTruncated
	}
	return fmt.Errorf("offset %d: found %q where %s was expected", s.i, s.b[s.i], want)
}

// null consumes a null literal if one comes next.
func (s *scanner) null() bool {
	if s.peek() == 'n' && s.i+4 <= len(s.b) && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// object calls field for each member of an object; field must consume the value. A null
// stands for an empty object.
func (s *scanner) object(field func(key []byte) error) error {
	if s.null() {
		return nil
	}
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.rawString()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := field(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.unexpected("',' or '}'")
		}
	}
}

// array calls elem for each element of an array; elem must consume it. A null stands for
// an empty array.
func (s *scanner) array(elem func() error) error {
	if s.null() {
		return nil
	}
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.unexpected("',' or ']'")
		}
	}
}

// rawString consumes a string and returns its contents, unescaped; the bytes alias the
// document when there was nothing to unescape.
func (s *scanner) rawString() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, s.unexpected("a string")
	}
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], nil
		case c == '\\':
			return s.escapedString(start)
		case c < 0x20:
			return nil, s.controlInString()
		}
		s.i++
	}
	return nil, errTruncated
}

func (s *scanner) controlInString() error {
	return fmt.Errorf("offset %d: control character %#02x in a string", s.i, s.b[s.i])
}

// escapedString finishes a string that holds escapes, from its first byte at start.
func (s *scanner) escapedString(start int) ([]byte, error) {
	out := append(make([]byte, 0, s.i-start+32), s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return out, nil
		case c < 0x20:
			return nil, s.controlInString()
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			return nil, errTruncated
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, err := s.unicodeEscape()
			if err != nil {
				return nil, err
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, fmt.Errorf("offset %d: bad escape \\%c", s.i-1, e)
		}
	}
	return nil, errTruncated
}

// unicodeEscape reads the four hex digits after \u, and a second escape when the first is
// half of a surrogate pair. A lone half becomes U+FFFD, as encoding/json makes it.
func (s *scanner) unicodeEscape() (rune, error) {
	r, err := s.hex4()
	if err != nil {
		return 0, err
	}
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	if s.i+6 <= len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
		save := s.i
		s.i += 2
		r2, err := s.hex4()
		if err == nil {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, nil
			}
		}
		s.i = save
	}
	return utf8.RuneError, nil
}

func (s *scanner) hex4() (rune, error) {
	if s.i+4 > len(s.b) {
		return 0, errTruncated
	}
	n, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 16)
	if err != nil || !isHex4(s.b[s.i:s.i+4]) {
		return 0, fmt.Errorf("offset %d: bad \\u escape", s.i)
	}
	s.i += 4
	return rune(uint16(n)), nil
}

// str consumes a string (or null, read as "").
func (s *scanner) str() (string, error) {
	if s.null() {
		return "", nil
	}
	b, err := s.rawString()
	return string(b), err
}

// int consumes an integer number (or null, read as 0).
func (s *scanner) int() (int64, error) {
	if s.null() {
		return 0, nil
	}
	s.ws()
	start := s.i
	if err := s.number(); err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 64)
	if err != nil {
		s.i = start
		return 0, s.unexpected("an integer")
	}
	return n, nil
}

// skip consumes one value of any kind, checking its syntax, and returns its bytes.
func (s *scanner) skip() ([]byte, error) {
	s.ws()
	start := s.i
	if err := s.value(0); err != nil {
		return nil, err
	}
	return s.b[start:s.i], nil
}

// maxDepth bounds the nesting of arrays and objects, as encoding/json's does.
const maxDepth = 10000

// value consumes one value after white space, at nesting depth.
func (s *scanner) value(depth int) error {
	switch s.peek() {
	case 0:
		return errTruncated
	case '"':
		return s.skipString()
	case '{':
		return s.skipObject(depth + 1)
	case '[':
		return s.skipArray(depth + 1)
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		return s.number()
	}
}

func (s *scanner) literal(lit string) error {
	if s.i+len(lit) > len(s.b) {
		return errTruncated
	}
	if string(s.b[s.i:s.i+len(lit)]) != lit {
		return s.unexpected("a value")
	}
	s.i += len(lit)
	return nil
}

func (s *scanner) skipObject(depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("offset %d: nested too deeply", s.i)
	}
	s.i++ // the opening brace
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		if s.peek() != '"' {
			return s.unexpected("a string")
		}
		if err := s.skipString(); err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := s.value(depth); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.unexpected("',' or '}'")
		}
	}
}

func (s *scanner) skipArray(depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("offset %d: nested too deeply", s.i)
	}
	s.i++ // the opening bracket
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := s.value(depth); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.unexpected("',' or ']'")
		}
	}
}

// skipString moves past a string without unescaping it, checking its escapes.
func (s *scanner) skipString() error {
	s.i++ // the opening quote
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return nil
		case c == '\\':
			if s.i+1 >= len(s.b) {
				return errTruncated
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) {
					return errTruncated
				}
				if !isHex4(s.b[s.i+2 : s.i+6]) {
					return fmt.Errorf("offset %d: bad \\u escape", s.i+2)
				}
				s.i += 6
			default:
				return fmt.Errorf("offset %d: bad escape \\%c", s.i+1, s.b[s.i+1])
			}
			continue
		case c < 0x20:
			return s.controlInString()
		}
		s.i++
	}
	return errTruncated
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// number moves past a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.i < len(s.b) && s.b[s.i] >= '1' && s.b[s.i] <= '9':
		s.digits()
	default:
		return s.badNumber(start)
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return s.badNumber(start)
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return s.badNumber(start)
		}
	}
	return nil
}

func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

func (s *scanner) badNumber(start int) error {
	if s.i >= len(s.b) {
		return errTruncated
	}
	s.i = start
	return s.unexpected("a value")
}

// end checks that nothing but white space follows the document.
func (s *scanner) end() error {
	if s.peek() != 0 || s.i < len(s.b) {
		return fmt.Errorf("offset %d: data after the document", s.i)
	}
	return nil
}
