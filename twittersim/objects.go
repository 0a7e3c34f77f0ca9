package twittersim

import "time"

// objectOptions are the fields and expansions a request asks for.
type objectOptions struct {
	tweetFields set
	userFields  set
	expansions  set
}

// parseObjectOptions reads tweet.fields, user.fields and expansions; media.fields,
// place.fields and poll.fields are accepted and ignored, as no tweet has media,
// places or polls.
func parseObjectOptions(p *params, expansions []string) objectOptions {
	return objectOptions{
		tweetFields: p.list("tweet.fields", tweetFieldNames),
		userFields:  p.list("user.fields", userFieldNames),
		expansions:  p.list("expansions", expansions),
	}
}

func (s *Server) renderer(o objectOptions, now time.Time) renderer {
	return renderer{
		world:       s.world,
		tweetFields: o.tweetFields,
		userFields:  o.userFields,
		expansions:  o.expansions,
		now:         now,
	}
}
