package tasks

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
)

// decodeSignature decodes a message body as Machinery's own worker does: encoding/json into
// a Signature, numbers in untyped places kept as json.Number. encoding/json costs more than
// everything else a delivery needs, so the shape Machinery's publisher and ours send is read
// by a small parser of its own; whatever it is not sure of (escaped strings, a set ETA,
// chained signatures, nested values, unknown or repeated keys, trailing bytes) goes to
// encoding/json, so the result is always the one encoding/json gives.
func decodeSignature(body []byte) (*mtasks.Signature, error) {
	if sig, ok := parseSignature(body); ok {
		return sig, nil
	}
	sig := new(mtasks.Signature)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(sig); err != nil {
		return nil, err
	}
	return sig, nil
}

// parseSignature is the fast path of decodeSignature; ok is false when it cannot be sure
// its result is encoding/json's.
func parseSignature(data []byte) (sig *mtasks.Signature, ok bool) {
	p := &sigParser{data: data}
	sig = new(mtasks.Signature)
	var seen uint32
	ok = p.object(func(key []byte) bool {
		bit, known := signatureFields[string(key)]
		if !known || seen&bit != 0 {
			return false
		}
		seen |= bit
		return p.signatureField(sig, string(key))
	})
	p.space()
	return sig, ok && p.pos == len(p.data)
}

// signatureFields numbers the JSON keys of a Signature, for spotting a repeated one.
var signatureFields = map[string]uint32{}

func init() {
	for i, name := range []string{
		"UUID", "Name", "RoutingKey", "ETA", "GroupUUID", "GroupTaskCount", "Args", "Headers",
		"Priority", "Immutable", "RetryCount", "RetryTimeout", "OnSuccess", "OnError", "ChordCallback",
		"BrokerMessageGroupId", "SQSReceiptHandle", "StopTaskDeletionOnError", "IgnoreWhenTaskNotRegistered",
	} {
		signatureFields[name] = 1 << i
	}
}

func (p *sigParser) signatureField(sig *mtasks.Signature, key string) bool {
	switch key {
	case "UUID":
		return p.stringInto(&sig.UUID)
	case "Name":
		return p.stringInto(&sig.Name)
	case "RoutingKey":
		return p.stringInto(&sig.RoutingKey)
	case "GroupUUID":
		return p.stringInto(&sig.GroupUUID)
	case "BrokerMessageGroupId":
		return p.stringInto(&sig.BrokerMessageGroupId)
	case "SQSReceiptHandle":
		return p.stringInto(&sig.SQSReceiptHandle)
	case "GroupTaskCount":
		return p.intInto(&sig.GroupTaskCount)
	case "RetryCount":
		return p.intInto(&sig.RetryCount)
	case "RetryTimeout":
		return p.intInto(&sig.RetryTimeout)
	case "Priority":
		return p.uint8Into(&sig.Priority)
	case "Immutable":
		return p.boolInto(&sig.Immutable)
	case "StopTaskDeletionOnError":
		return p.boolInto(&sig.StopTaskDeletionOnError)
	case "IgnoreWhenTaskNotRegistered":
		return p.boolInto(&sig.IgnoreWhenTaskNotRegistered)
	case "Args":
		return p.args(sig)
	case "Headers":
		return p.headers(sig)
	default: // ETA, OnSuccess, OnError, ChordCallback: only their null is read here
		return p.literal("null")
	}
}

func (p *sigParser) args(sig *mtasks.Signature) bool {
	if p.peek() == 'n' {
		sig.Args = nil
		return p.literal("null")
	}
	sig.Args = make([]mtasks.Arg, 0, 4) // a fetch has four
	return p.array(func() bool {
		var a mtasks.Arg
		var seen [3]bool
		ok := p.object(func(key []byte) bool {
			switch string(key) {
			case "Name":
				return once(&seen[0]) && p.stringInto(&a.Name)
			case "Type":
				return once(&seen[1]) && p.stringInto(&a.Type)
			case "Value":
				return once(&seen[2]) && p.scalar(&a.Value)
			}
			return false
		})
		sig.Args = append(sig.Args, a)
		return ok
	})
}

func (p *sigParser) headers(sig *mtasks.Signature) bool {
	if p.peek() == 'n' {
		sig.Headers = nil
		return p.literal("null")
	}
	sig.Headers = mtasks.Headers{}
	return p.object(func(key []byte) bool {
		var v any
		if !p.scalar(&v) {
			return false
		}
		sig.Headers[string(key)] = v
		return true
	})
}

// once reports whether *seen was unset, and sets it.
func once(seen *bool) bool {
	first := !*seen
	*seen = true
	return first
}

// sigParser reads the JSON subset parseSignature accepts. Each method reports false when
// the input leaves that subset.
type sigParser struct {
	data []byte
	pos  int
}

func (p *sigParser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, 0 at the end.
func (p *sigParser) peek() byte {
	p.space()
	if p.pos == len(p.data) {
		return 0
	}
	return p.data[p.pos]
}

func (p *sigParser) consume(c byte) bool {
	if p.peek() != c {
		return false
	}
	p.pos++
	return true
}

func (p *sigParser) literal(word string) bool {
	p.space()
	if !bytes.HasPrefix(p.data[p.pos:], []byte(word)) {
		return false
	}
	p.pos += len(word)
	return true
}

// object reads an object, calling member with each key positioned at its value.
func (p *sigParser) object(member func(key []byte) bool) bool {
	if !p.consume('{') {
		return false
	}
	if p.consume('}') {
		return true
	}
	for {
		key, ok := p.rawString()
		if !ok || !p.consume(':') || !member(key) {
			return false
		}
		if p.consume('}') {
			return true
		}
		if !p.consume(',') {
			return false
		}
	}
}

// array reads an array, calling elem positioned at each element.
func (p *sigParser) array(elem func() bool) bool {
	if !p.consume('[') {
		return false
	}
	if p.consume(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if p.consume(']') {
			return true
		}
		if !p.consume(',') {
			return false
		}
	}
}

// rawString reads a string without escapes or control characters, in valid UTF-8, and
// returns its bytes.
func (p *sigParser) rawString() ([]byte, bool) {
	if !p.consume('"') {
		return nil, false
	}
	start, ascii := p.pos, true
	for ; p.pos < len(p.data); p.pos++ {
		switch c := p.data[p.pos]; {
		case c == '"':
			s := p.data[start:p.pos]
			p.pos++
			return s, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// stringInto reads a string into *s; null leaves *s alone, as encoding/json does.
func (p *sigParser) stringInto(s *string) bool {
	if p.peek() == 'n' {
		return p.literal("null")
	}
	b, ok := p.rawString()
	*s = string(b)
	return ok
}

func (p *sigParser) boolInto(b *bool) bool {
	switch p.peek() {
	case 't':
		*b = true
		return p.literal("true")
	case 'f':
		*b = false
		return p.literal("false")
	default:
		return p.literal("null")
	}
}

func (p *sigParser) intInto(n *int) bool {
	if p.peek() == 'n' {
		return p.literal("null")
	}
	lit, ok := p.number()
	if !ok {
		return false
	}
	v, err := strconv.ParseInt(string(lit), 10, strconv.IntSize)
	*n = int(v)
	return err == nil
}

func (p *sigParser) uint8Into(n *uint8) bool {
	if p.peek() == 'n' {
		return p.literal("null")
	}
	lit, ok := p.number()
	if !ok {
		return false
	}
	v, err := strconv.ParseUint(string(lit), 10, 8)
	*n = uint8(v)
	return err == nil
}

// scalar reads a string, number, boolean or null into an untyped value, numbers as
// json.Number.
func (p *sigParser) scalar(v *any) bool {
	switch c := p.peek(); {
	case c == '"':
		b, ok := p.rawString()
		*v = string(b)
		return ok
	case c == '-' || c >= '0' && c <= '9':
		lit, ok := p.number()
		*v = json.Number(lit)
		return ok
	case c == 't' || c == 'f':
		var b bool
		ok := p.boolInto(&b)
		*v = b
		return ok
	default:
		*v = nil
		return p.literal("null")
	}
}

// number reads a number as JSON spells it and returns its text.
func (p *sigParser) number() ([]byte, bool) {
	p.space()
	start := p.pos
	p.skip('-')
	switch {
	case p.skip('0'):
	case p.digits() == 0:
		return nil, false
	}
	if p.skip('.') && p.digits() == 0 {
		return nil, false
	}
	if p.skip('e') || p.skip('E') {
		if !p.skip('+') {
			p.skip('-')
		}
		if p.digits() == 0 {
			return nil, false
		}
	}
	return p.data[start:p.pos], true
}

func (p *sigParser) skip(c byte) bool {
	if p.pos < len(p.data) && p.data[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *sigParser) digits() int {
	start := p.pos
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
	}
	return p.pos - start
}
