package notify

import (
	"errors"
	"fmt"
	"time"
)

// Class says what the caller should do about a failed delivery.
type Class int

// The classes of delivery failure.
const (
	// Temporary: retry later with back-off (timeouts, 5xx, SMTP 4xx).
	Temporary Class = iota + 1
	// RateLimited: retry after DeliveryError.RetryAfter, not sooner.
	RateLimited
	// Permanent: never retry; mark the subscription broken and tell its
	// owner (a revoked webhook, a deleted channel, a rejected address).
	Permanent
)

// String names the class for logs and error messages.
func (c Class) String() string {
	switch c {
	case Temporary:
		return "temporary"
	case RateLimited:
		return "rate limited"
	case Permanent:
		return "permanent"
	}
	return "unknown"
}

// DeliveryError is a failed delivery. Its message never contains a webhook
// URL, a token or a password.
type DeliveryError struct {
	Channel    string        // "slack" or "email"
	Class      Class         // what to do about it
	RetryAfter time.Duration // for RateLimited: how long Slack asked us to wait
	// Reason is a short code for people and logs: Slack's error code
	// ("no_service", "channel_not_found"), "http 503", "smtp 550", "timeout".
	Reason string
	Err    error // the cause, with secrets removed
}

// Error says which channel failed, the class and the reason; it never
// contains a webhook URL, token or password.
func (e *DeliveryError) Error() string {
	msg := fmt.Sprintf("%s delivery failed (%s, %s)", e.Channel, e.Class, e.Reason)
	if e.Class == RateLimited {
		msg += fmt.Sprintf(", retry after %s", e.RetryAfter)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the (redacted) cause, so that errors.Is finds
// context.DeadlineExceeded and the like.
func (e *DeliveryError) Unwrap() error { return e.Err }

// Classify returns the class of a delivery error, and Temporary for any
// error that is not a DeliveryError (it did not come from a delivery, so
// nothing says the subscription is at fault).
func Classify(err error) Class {
	if de, ok := errors.AsType[*DeliveryError](err); ok {
		return de.Class
	}
	return Temporary
}
