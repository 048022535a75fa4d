package consortium_test

import (
	"slices"
	"testing"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/matching/consortium"
)

func constraintCodes(cs []consortium.Constraint) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Code)
	}
	return out
}

func TestEvaluateAgreesWithPlanCallOnItsBestBid(t *testing.T) {
	call, cands, history := mobilityCall()
	best := consortium.PlanCall(call, cands, history, 1).Bids[0]
	var members []consortium.Candidate
	for _, m := range best.Members {
		i := slices.IndexFunc(cands, func(c consortium.Candidate) bool { return c.City.Slug == m.City })
		members = append(members, cands[i])
	}
	got, err := consortium.Evaluate(call, members, "", history)
	if err != nil {
		t.Fatal(err)
	}
	if got.Value != best.Value || got.Lead != best.Lead || !slices.Equal(constraintCodes(got.ConstraintsMissing), constraintCodes(best.ConstraintsMissing)) {
		t.Errorf("Evaluate gives %+v led by %s missing %v; PlanCall %+v led by %s missing %v",
			got.Value, got.Lead, constraintCodes(got.ConstraintsMissing), best.Value, best.Lead, constraintCodes(best.ConstraintsMissing))
	}
}

func TestEvaluateReportsBrokenRules(t *testing.T) {
	call, cands, history := mobilityCall() // Gent, Kortrijk, Mechelen, Ronse
	full := func(c consortium.Candidate) consortium.Candidate {
		c.City.Capacity.BidsInProgress = c.City.Capacity.MaxConcurrentBids
		return c
	}
	ineligible := func(c consortium.Candidate) consortium.Candidate {
		c.Eligibility = funding.Ineligible
		return c
	}
	vlnl := call
	vlnl.Programme = consortium.InterregVLNL
	outside := cands[1]
	outside.City.InVlaanderenNederland = false
	tests := []struct {
		name        string
		call        consortium.Call
		members     []consortium.Candidate
		lead        string
		wantMissing string
	}{
		{"one city in a joint programme", call, cands[:1], "", consortium.CodeMinCities},
		{"a member without a free slot", call, []consortium.Candidate{cands[0], full(cands[1])}, "", consortium.CodeCapacity},
		{"an ineligible member", call, []consortium.Candidate{cands[0], ineligible(cands[1])}, "", consortium.CodeEligibility},
		{"a member outside the Interreg area", vlnl, []consortium.Candidate{cands[0], outside}, "", consortium.CodeBorderArea},
		{"two members in a mono-beneficiary action", consortium.Call{Identifier: "ERC", Programme: consortium.Horizon, Action: consortium.MonoBeneficiary},
			cands[:2], "", consortium.CodeSingleApplicant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := consortium.Evaluate(tt.call, tt.members, tt.lead, history)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(constraintCodes(b.ConstraintsMissing), tt.wantMissing) {
				t.Errorf("missing %v, want %s", constraintCodes(b.ConstraintsMissing), tt.wantMissing)
			}
			if slices.Contains(constraintCodes(b.ConstraintsMet), tt.wantMissing) {
				t.Errorf("met %v still lists %s", constraintCodes(b.ConstraintsMet), tt.wantMissing)
			}
		})
	}
}

func TestEvaluateWithAnotherLead(t *testing.T) {
	call, cands, history := mobilityCall()
	members := cands[:2] // Gent would lead
	b, err := consortium.Evaluate(call, members, "kortrijk", history)
	if err != nil {
		t.Fatal(err)
	}
	auto, _ := consortium.Evaluate(call, members, "", history)
	if b.Lead != "kortrijk" || b.Members[0].City != "kortrijk" || b.Members[0].Role != consortium.Lead || b.Members[1].Role != consortium.Partner {
		t.Errorf("lead %s, members %+v; want Kortrijk leading", b.Lead, b.Members)
	}
	// Kortrijk: 4 past projects (2 points) + 1 led (1 point); Gent 9 (4.5) + 3 (3).
	if b.Value.LeadExperience != 3 || b.Value.Total != auto.Value.Total-4.5 {
		t.Errorf("lead experience %.1f, total %.1f; want 3 and %.1f", b.Value.LeadExperience, b.Value.Total, auto.Value.Total-4.5)
	}
	if _, err := consortium.Evaluate(call, members, "ronse", history); err == nil {
		t.Error("a lead who is not a member was accepted")
	}
}
