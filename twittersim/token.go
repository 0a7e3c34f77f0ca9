package twittersim

import (
	"encoding/base32"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"math"
	"strings"
)

// tokenEncoding is lower-case base32 without padding.
var tokenEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

const tokenVersion = 1

var errBadToken = errors.New("malformed pagination token")

// pageToken is the content of a pagination token. Tokens are stateless: they carry
// the boundary of the next page and the bounds of the query that started the walk.
type pageToken struct {
	newer    bool   // a previous_token: the page just newer than boundary
	boundary uint64 // pages continue strictly below (or above, if newer) this id
	scope    uint32 // hash of what the walk is over (user id or query)
	b        bounds
}

// bounds are the limits of a query: ids exclusive, startMS inclusive, endMS exclusive
// (Unix milliseconds). Zero means unbounded.
type bounds struct {
	sinceID uint64
	untilID uint64
	startMS int64
	endMS   int64
}

func scopeOf(kind, s string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(kind + "\x00" + s)) // a hash.Hash never returns a write error
	return h.Sum32()
}

func (t pageToken) encode() string {
	buf := []byte{tokenVersion, 0}
	if t.newer {
		buf[1] = 1
	}
	buf = binary.AppendUvarint(buf, t.boundary)
	buf = binary.AppendUvarint(buf, uint64(t.scope))
	buf = binary.AppendUvarint(buf, t.b.sinceID)
	buf = binary.AppendUvarint(buf, t.b.untilID)
	buf = binary.AppendVarint(buf, t.b.startMS)
	buf = binary.AppendVarint(buf, t.b.endMS)
	buf = binary.BigEndian.AppendUint32(buf, checksum(buf))
	return tokenEncoding.EncodeToString(buf)
}

func checksum(b []byte) uint32 {
	h := fnv.New32a()
	_, _ = h.Write(append([]byte("tweetflow-sim"), b...)) // a hash.Hash never returns a write error
	return h.Sum32()
}

// decodeToken parses s and checks that it belongs to scope.
func decodeToken(s string, scope uint32) (pageToken, error) {
	buf, err := tokenEncoding.DecodeString(strings.ToLower(s))
	if err != nil || len(buf) < 6 {
		return pageToken{}, errBadToken
	}
	body, sum := buf[:len(buf)-4], binary.BigEndian.Uint32(buf[len(buf)-4:])
	if checksum(body) != sum || body[0] != tokenVersion || body[1] > 1 {
		return pageToken{}, errBadToken
	}
	t, err := readToken(body[2:])
	if err != nil || t.scope != scope {
		return pageToken{}, errBadToken
	}
	t.newer = body[1] == 1
	return t, nil
}

func readToken(b []byte) (pageToken, error) {
	r := tokenReader{b: b}
	t := pageToken{boundary: r.uvarint(), scope: r.uvarint32()}
	t.b = bounds{sinceID: r.uvarint(), untilID: r.uvarint(), startMS: r.varint(), endMS: r.varint()}
	if r.bad || len(r.b) != 0 {
		return pageToken{}, errBadToken
	}
	return t, nil
}

// tokenReader reads varints and remembers whether any of them was malformed.
type tokenReader struct {
	b   []byte
	bad bool
}

func (r *tokenReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

// uvarint32 reads a uvarint that must fit in 32 bits, as encode writes the scope.
func (r *tokenReader) uvarint32() uint32 {
	v := r.uvarint()
	if v > math.MaxUint32 {
		r.bad = true
		return 0
	}
	return uint32(v)
}

func (r *tokenReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}
