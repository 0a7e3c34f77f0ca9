package poll

import (
	"time"

	"github.com/tweetflow/tweetflow/config"
)

// Budget is one endpoint's allowance: Requests per Window (API_BUDGET).
type Budget = config.Budget

// DefaultWindow is the API's rate-limit window.
const DefaultWindow = 15 * time.Minute
