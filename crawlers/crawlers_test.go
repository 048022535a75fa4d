package crawlers

import (
	"testing"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/google/go-cmp/cmp"
)

func TestResultCanClose(t *testing.T) {
	var r Result
	if !r.CanClose() {
		t.Error("complete result may not close")
	}
	r.NotModified = []string{"https://example.org/list"}
	if r.CanClose() {
		t.Error("result with unchanged pages may close")
	}
	r = Result{}
	r.MarkPartial("short listing")
	r.MarkPartial("second reason")
	if r.CanClose() || r.PartialReason != "short listing" {
		t.Errorf("partial result: CanClose=%v reason=%q", r.CanClose(), r.PartialReason)
	}
}

func TestResultAddKeepsTheLastVersionInTheFirstPlace(t *testing.T) {
	a, b, a2 := funding.Call{Identifier: "A", Title: "first"}, funding.Call{Identifier: "B"}, funding.Call{Identifier: "A", Title: "second"}
	var kept Result
	if err := kept.Add(a, b); err != nil {
		t.Fatal(err)
	}
	if err := kept.Add(a2); err != nil {
		t.Fatal(err)
	}
	if len(kept.Calls) != 2 || kept.Calls[0].Title != "second" || kept.Calls[1].Identifier != "B" || kept.Found() != 2 {
		t.Errorf("calls = %+v, want A (second) then B", kept.Calls)
	}

	var got []string
	sent := Result{Sink: func(calls []funding.Call) error {
		for _, c := range calls {
			got = append(got, c.Identifier+":"+c.Title)
		}
		return nil
	}}
	sent.Add(a, b)
	sent.Add(a2)
	if diff := cmp.Diff([]string{"A:first", "B:", "A:second"}, got); diff != "" || len(sent.Calls) != 0 || sent.Sent != 2 || sent.Found() != 2 {
		t.Errorf("sent %v (diff %s), %d kept, Sent %d: want every version sent, two distinct calls", got, diff, len(sent.Calls), sent.Sent)
	}
}
