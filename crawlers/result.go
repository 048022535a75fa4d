package crawlers

import (
	"fmt"
	"time"
)

// Result is what one crawl run of one source produced.
type Result struct {
	Source   string
	Started  time.Time
	Finished time.Time
	Calls    []Call
	// Errors are the pages and records that could not be read; the run went
	// on without them.
	Errors []Error
	// Pages is the number of listing or detail pages read successfully.
	Pages int
	// Expected is the number of records the source announced (the search
	// API's totalResults), 0 when the source does not say.
	Expected int
	// Partial is set when the run did not see the whole listing: a page
	// failed, the count fell short of Expected, or the run was cut short.
	// A partial result must not close calls that are missing from it.
	Partial       bool
	PartialReason string
	// NotModified lists URLs the server answered 304 Not Modified for: the
	// calls stored from those pages are unchanged and still listed.
	NotModified []string
}

// Error is a page or record that failed, with where it came from.
type Error struct {
	URL       string // the page, redacted
	Reference string // the record's reference or identifier, if known
	Err       error
}

// Error implements error.
func (e Error) Error() string {
	if e.Reference != "" {
		return fmt.Sprintf("%s (%s): %v", e.URL, e.Reference, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.URL, e.Err)
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e Error) Unwrap() error { return e.Err }

// MarkPartial flags the result as partial, keeping the first reason.
func (r *Result) MarkPartial(reason string) {
	if !r.Partial {
		r.Partial = true
		r.PartialReason = reason
	}
}

// CanClose reports whether calls missing from this result may be closed:
// only a complete listing, one that is not partial and did not skip
// unchanged pages, says that a call is gone.
func (r *Result) CanClose() bool {
	return !r.Partial && len(r.NotModified) == 0
}
