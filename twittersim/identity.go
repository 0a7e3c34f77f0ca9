package twittersim

import (
	"encoding/binary"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// nameSuffixes decorate display names so that some of them carry non-ASCII text.
var nameSuffixes = []string{"", "", " 🐹", " | Go", " ✨", " (they/them)", " 🇯🇵", " – Postgres", " 🐇"}

// hashOf mixes the seed and a few strings into a stable 64-bit value.
func hashOf(seed int64, parts ...string) uint64 {
	buf := binary.LittleEndian.AppendUint64(nil, seedBits(seed))
	for _, p := range parts {
		buf = append(append(buf, p...), 0)
	}
	h := fnv.New64a()
	_, _ = h.Write(buf) // a hash.Hash never returns a write error
	return mix64(h.Sum64())
}

// seedBits returns the bits of seed as an unsigned number. A negative seed is as good
// as any other: the generators only mix the bits.
func seedBits(seed int64) uint64 {
	return uint64(seed) //nolint:gosec // reinterprets the two's-complement bits on purpose; nothing is lost
}

// mix64 scrambles the bits of x (the splitmix64 finaliser).
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// userID derives a numeric user id of 1 to 19 digits from the seed and the username.
// salt is raised only when the first choice collides with an existing account.
func userID(seed int64, username string, salt int) string {
	h := hashOf(seed, "user", strings.ToLower(username), strconv.Itoa(salt))
	return strconv.FormatUint(1+h%(1<<62), 10)
}

// displayName turns a username into a display name such as "Gopher 🐹".
func displayName(seed int64, username string) string {
	words := strings.Split(username, "_")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	h := hashOf(seed, "name", strings.ToLower(username))
	return strings.Join(words, " ") + nameSuffixes[h%uint64(len(nameSuffixes))]
}

// accountRNG returns the random source of one account's posts.
func accountRNG(seed int64, username string) *rand.Rand {
	pcg := rand.NewPCG(seedBits(seed), hashOf(seed, "rng", strings.ToLower(username)))
	return rand.New(pcg) //nolint:gosec // a seeded, reproducible simulation needs math/rand; no secrets come from it
}

// joinedAt invents the account's creation date, some years before start.
func joinedAt(seed int64, username string, start time.Time) time.Time {
	days := hashOf(seed, "joined", strings.ToLower(username)) % 4000
	return start.AddDate(0, 0, -30-int(days)).Truncate(time.Second)
}
