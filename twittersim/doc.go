// Package twittersim simulates the parts of the Twitter/X API v2 that tweetflow uses:
// user lookup, user timelines and recent search, with rate limits, pagination and the
// error shapes of the real service. A deterministic generator invents the tweets, an
// admin API under /sim/ exposes the ground truth and switches faults on and off, and a
// replay mode serves recorded responses instead.
package twittersim
