package voiceapi

import (
	"context"
	"time"
)

// SetSleep replaces how c waits between attempts, so that tests record the
// waits instead of sleeping them.
func SetSleep(c *Client, sleep func(context.Context, time.Duration) error) { c.sleep = sleep }

// SetNow replaces c's clock, which dates Retry-After and deadlines.
func SetNow(c *Client, now func() time.Time) { c.now = now }

// SleepContext is the wait a Client uses by default.
var SleepContext = sleepContext
