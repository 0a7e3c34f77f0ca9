package twittersim

import (
	"sync"
	"time"
)

// Clock tells the simulator what time it is. The generator creates every tweet that is
// due up to Now whenever a request arrives, so a clock that jumps forward simply makes
// the tweets of the skipped period appear at once.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now().UTC() }

// RealClock returns a Clock that reads the system clock.
func RealClock() Clock { return realClock{} }

type scaledClock struct {
	origin time.Time
	speed  float64
}

// NewScaledClock returns a Clock that starts at the current system time and then runs
// speed simulated seconds per real second (speed 1 is the real clock).
func NewScaledClock(speed float64) Clock {
	return &scaledClock{origin: time.Now(), speed: speed}
}

func (c *scaledClock) Now() time.Time {
	elapsed := float64(time.Since(c.origin)) * c.speed
	return c.origin.Add(time.Duration(elapsed)).UTC()
}

// ManualClock is a Clock that moves only when told to. Tests use it instead of sleeping.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock showing t.
func NewManualClock(t time.Time) *ManualClock {
	return &ManualClock{now: t.UTC()}
}

// Now returns the time last set.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC()
}
