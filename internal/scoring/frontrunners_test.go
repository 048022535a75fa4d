package scoring_test

import (
	"context"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/scoring"
	"github.com/fundmatch/fundmatch/internal/store"
)

// mobipunten is a past project like the evaluation call on shared mobility
// hubs (ERDF-VL-2026-DEELMOBILITEIT-GTI).
var mobipunten = store.Project{Source: "kohesio", SourceID: "fr-mobipunten", Year: 2021, Programme: "ERDF",
	Title:   "Mobipunten met deelfietsen en deelauto's",
	Summary: "Mobipunten met deelauto's, deelfietsen en laadpalen in de dorpskernen, samen met de vervoerregio."}

// saveProject stores p for the cities named, led by the first.
func saveProject(t *testing.T, st *store.Store, p store.Project, slugs ...string) {
	t.Helper()
	ctx := context.Background()
	ids := map[string]int64{}
	for _, s := range slugs {
		c, err := st.CityBySlug(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		ids[s] = c.ID
	}
	p.Lead, p.Members = slugs[0], slugs[1:]
	if err := st.InTx(ctx, func(tx *store.Tx) error { _, err := tx.SaveProject(ctx, p, ids); return err }); err != nil {
		t.Fatal(err)
	}
}

// frontRunnerCities returns the slugs of a call's stored front-runners.
func frontRunnerCities(t *testing.T, st *store.Store, identifier string) []store.FrontRunner {
	t.Helper()
	c, err := st.CallByIdentifier(context.Background(), identifier)
	if err != nil {
		t.Fatal(err)
	}
	frs, _, err := st.CallFrontRunners(context.Background(), c.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	return frs
}

func TestFrontRunnersAreStoredWhereScoringRunsAndFollowTheProjects(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	// Brugge has a profile; Herzele has none (and does not need one: what a
	// city did does not depend on what it asks for).
	saveProject(t, st, mobipunten, "brugge", "herzele")
	s := scoring.New(st, quiet)
	res, err := s.ScoreAll(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.FrontRunners == 0 {
		t.Fatalf("the first full rescore stored no front-runner: %+v", res)
	}
	const call = "ERDF-VL-2026-DEELMOBILITEIT-GTI"
	frs := frontRunnerCities(t, st, call)
	bySlug := map[string]store.FrontRunner{}
	for _, f := range frs {
		bySlug[f.City] = f
	}
	for _, slug := range []string{"brugge", "herzele"} {
		f, ok := bySlug[slug]
		if !ok {
			t.Fatalf("%s is no front-runner of %s: %+v", slug, call, frs)
		}
		if f.Title != mobipunten.Title || f.Year != 2021 || f.Origin() != "Kohesio" || f.Similarity < 0.4 || len(f.Themes) == 0 {
			t.Errorf("%s: %+v", slug, f)
		}
		for _, th := range f.Themes {
			if th.Concept == "" || th.LabelNL == "" || th.LabelEN == "" {
				t.Errorf("%s: theme %+v", slug, th)
			}
		}
	}
	var stored int
	st.DB().QueryRow(`SELECT count(*) FROM front_runners`).Scan(&stored)
	t.Logf("%d front-runner rows over 85 calls; %s: %d", stored, call, len(frs))

	again, err := s.ScoreAll(ctx, nil)
	if err != nil || again.FrontRunners != 0 {
		t.Fatalf("a rescore with nothing changed rewrote %d front-runners (%v)", again.FrontRunners, err)
	}

	// Brugge leaves the project: rescoring Brugge drops it as a
	// front-runner and touches no other city's rows.
	saveProject(t, st, mobipunten, "herzele")
	if _, err := s.ScoreCity(ctx, "brugge"); err != nil {
		t.Fatal(err)
	}
	left := map[string]bool{}
	for _, f := range frontRunnerCities(t, st, call) {
		left[f.City] = true
	}
	if left["brugge"] || !left["herzele"] {
		t.Fatalf("after brugge left the project, %s's front-runners are %v", call, left)
	}
	var rewritten int
	st.DB().QueryRow(`SELECT count(*) FROM front_runners WHERE updated_at > (SELECT min(updated_at) FROM front_runners)`).Scan(&rewritten)
	if rewritten != 0 {
		t.Fatalf("rescoring brugge rewrote %d front-runners of other cities", rewritten)
	}
	saveProject(t, st, mobipunten, "brugge", "herzele")
	if _, err := s.ScoreCity(ctx, "brugge"); err != nil {
		t.Fatal(err)
	}

	// A new call like the project gets its front-runners when it is scored.
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	fresh := funding.Call{Source: "ftportal", Identifier: "ERDF-VL-2027-MOBIPUNTEN", Programme: "ERDF-VL",
		Kind: funding.KindCall, Status: funding.StatusForthcoming, Title: "Mobipunten en deelmobiliteit in de kernen",
		DescriptionText: "Lokale besturen rollen mobipunten uit met deelfietsen, deelauto's en laadpalen.",
		Deadlines:       []time.Time{time.Date(2027, 4, 15, 0, 0, 0, 0, time.UTC)}}
	stats := crawlRun(t, st, append(evalCalls(t), fresh), now)
	if _, err := s.ScoreCalls(ctx, stats.Touched); err != nil {
		t.Fatal(err)
	}
	if got := frontRunnerCities(t, st, fresh.Identifier); len(got) == 0 || got[0].City != "brugge" {
		t.Fatalf("the new call's front-runners: %+v, want brugge first", got)
	}
}
