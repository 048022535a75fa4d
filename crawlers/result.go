package crawlers

import (
	"errors"
	"fmt"
	"time"

	"github.com/fundmatch/fundmatch/funding"
)

// Result is what one crawl run of one source produced.
type Result struct {
	Source   string
	Started  time.Time
	Finished time.Time
	// Calls are the calls found, in the order first found; empty when the
	// crawl had a Sink, which took them instead.
	Calls []funding.Call
	// Sink, when set, takes the calls as the crawl finds them, in place of
	// Calls: the store writes one page while the crawler reads the next,
	// and memory does not grow with the listing. A call may be handed over
	// again in a later version; the last one counts.
	Sink func(calls []funding.Call) error
	// Sent counts the distinct calls handed to Sink.
	Sent int
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

	found   map[string]int // identifier -> index in Calls (-1 once sent)
	sinkErr error
}

// ErrNotStored wraps the error of a Sink that could not take the calls;
// the crawl stops there, as its run can no longer be stored.
var ErrNotStored = errors.New("the calls could not be stored")

// Add keeps calls the crawl found: it hands them to Sink when there is one,
// and puts them in Calls otherwise, where a call found again replaces the
// earlier version in its place. Once the Sink failed, Add only returns
// that error (wrapping ErrNotStored).
func (r *Result) Add(calls ...funding.Call) error {
	if r.sinkErr != nil {
		return r.sinkErr
	}
	if r.found == nil {
		r.found = make(map[string]int)
	}
	if r.Sink != nil {
		for i := range calls {
			if _, ok := r.found[calls[i].Identifier]; !ok {
				r.found[calls[i].Identifier] = -1
				r.Sent++
			}
		}
		if len(calls) == 0 {
			return nil
		}
		if err := r.Sink(calls); err != nil {
			r.sinkErr = fmt.Errorf("%w: %w", ErrNotStored, err)
			return r.sinkErr
		}
		return nil
	}
	for _, c := range calls {
		if i, ok := r.found[c.Identifier]; ok {
			r.Calls[i] = c
			continue
		}
		r.found[c.Identifier] = len(r.Calls)
		r.Calls = append(r.Calls, c)
	}
	return nil
}

// Found is the number of calls the crawl found: kept in Calls or sent.
func (r *Result) Found() int { return len(r.Calls) + r.Sent }

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
