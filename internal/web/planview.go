package web

import (
	"encoding/json"
	"slices"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
	"github.com/fundmatch/fundmatch/matching/consortium"
)

// The plan page shows what a coordinator decides on, read from the plan's
// stored JSON: what each member brings and what the bid costs it, the
// rules met and missing, the foreign partners history suggests, and how
// the value is made up.

// planView is a plan as its page shows it.
type planView struct {
	store.ConsortiumPlan
	Members      []memberView
	Met, Missing []consortium.Constraint
	Foreign      []consortium.PartnerSuggestion
	// NeedsForeign is whether the programme still wants partners from
	// abroad: then an empty Foreign means none are known, not none needed.
	NeedsForeign bool
	// Parts are the value's breakdown; nil when it is hidden because a
	// member city is outside the viewer's set (its fit could be worked
	// out from it), or for a plan stored without one.
	Parts *consortium.Value
}

// memberView is a member with its decoded contribution.
type memberView struct {
	store.PlanMember
	Contribution consortium.Contribution
	// Hidden is whether the city is outside the viewer's set, so that its
	// own figures (fit, eligibility, capacity, co-funding) were left out;
	// Private is whether those figures are there to show. Missing
	// figures are not shown as zeros.
	Hidden, Private bool
	Brings          []broughtConcept // the call's themes this member covers best
}

// broughtConcept is a theme of the call a member brings, named in both
// languages, with the past project that shows it.
type broughtConcept struct {
	NL, EN   string
	Evidence consortium.Project
}

// viewPlan decodes a plan as u may see it (see visiblePlan).
func viewPlan(u store.User, p store.ConsortiumPlan) planView {
	p = visiblePlan(u, p)
	v := planView{ConsortiumPlan: p}
	json.Unmarshal(p.ConstraintsMet, &v.Met)
	json.Unmarshal(p.ConstraintsMissing, &v.Missing)
	json.Unmarshal(p.ForeignPartners, &v.Foreign)
	v.NeedsForeign = slices.ContainsFunc(v.Missing, func(c consortium.Constraint) bool { return c.Code == consortium.CodeForeign })
	var parts map[string]json.RawMessage
	if json.Unmarshal(p.Components, &parts) == nil && parts["total"] != nil {
		var value consortium.Value
		if json.Unmarshal(p.Components, &value) == nil {
			v.Parts = &value
		}
	}
	for _, m := range p.Members {
		mv := memberView{PlanMember: m, Hidden: !u.CanSeeCity(m.CityID)}
		var fields map[string]json.RawMessage
		json.Unmarshal(m.Contribution, &fields)
		mv.Private = !mv.Hidden && fields["fit"] != nil
		json.Unmarshal(m.Contribution, &mv.Contribution)
		for _, c := range mv.Contribution.Concepts {
			if c.Strongest {
				nl, en := conceptNames(c.Concept)
				mv.Brings = append(mv.Brings, broughtConcept{NL: nl, EN: en, Evidence: c.Evidence})
			}
		}
		v.Members = append(v.Members, mv)
	}
	return v
}

// conceptNames names a vocabulary concept by its first Dutch and English
// terms, or by its id when the vocabulary does not know it.
func conceptNames(id string) (nl, en string) {
	// The vocabulary names the call's concepts; without it (its tests rule
	// that out) they go by id.
	if voc, err := matching.DefaultVocabulary(); err == nil {
		if c, ok := voc.Concept(id); ok {
			return c.LabelNL(), c.LabelEN()
		}
	}
	return id, id
}
