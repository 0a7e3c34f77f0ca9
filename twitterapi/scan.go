package twitterapi

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads a JSON document already checked with json.Valid in one pass, without
// reflection: a page is validated once and read once, and each tweet's raw object is a
// slice of the body rather than a copy. It still reports where a value has the wrong type.
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
		switch s.b[s.i] {
		case '"':
			s.i++
			return s.b[start : s.i-1], nil
		case '\\':
			return s.escapedString(start)
		}
		s.i++
	}
	return nil, errTruncated
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
	if err != nil {
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
	for s.i < len(s.b) && (s.b[s.i] == '-' || s.b[s.i] >= '0' && s.b[s.i] <= '9') {
		s.i++
	}
	n, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 64)
	if err != nil {
		s.i = start
		return 0, s.unexpected("an integer")
	}
	return n, nil
}

// skip consumes one value of any kind and returns its bytes.
func (s *scanner) skip() ([]byte, error) {
	s.ws()
	start := s.i
	if s.i >= len(s.b) {
		return nil, errTruncated
	}
	var err error
	switch s.b[s.i] {
	case '"':
		err = s.skipString()
	case '{', '[':
		err = s.skipCompound()
	default:
		err = s.skipScalar()
	}
	if err != nil {
		return nil, err
	}
	return s.b[start:s.i], nil
}

// skipScalar moves past a number or literal: up to the next delimiter.
func (s *scanner) skipScalar() error {
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', ':', '}', ']', ' ', '\t', '\n', '\r':
			if s.i == start {
				return s.unexpected("a value")
			}
			return nil
		}
		s.i++
	}
	return nil
}

// skipCompound moves past an object or an array, strings inside it included.
func (s *scanner) skipCompound() error {
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			if err := s.skipString(); err != nil {
				return err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i++
				return nil
			}
		}
		s.i++
	}
	return errTruncated
}

// skipString moves past a string without unescaping it.
func (s *scanner) skipString() error {
	s.i++ // the opening quote
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			s.i++
			return nil
		case '\\':
			s.i++
		}
		s.i++
	}
	return errTruncated
}
