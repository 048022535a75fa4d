package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/testdb"
)

func TestScoreMatchesAndExplainFromTheCommandLine(t *testing.T) {
	ctx := context.Background()
	portal := samplePortal(t)
	env := map[string]string{
		"DATABASE_URL": testdb.URL(t), "FTPORTAL_SEARCH_URL": portal.URL + "/search",
		"FTPORTAL_TOPIC_URL": portal.URL + "/topicDetails/", "CRAWL_ALLOW_PRIVATE": "true", "CRAWL_DELAY": "1ms", "LOG_LEVEL": "error",
	}
	for _, args := range [][]string{{"seed"}, {"crawl", "ftportal"}} {
		if code, _, stderr := fundmatch(ctx, env, args...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	code, stdout, stderr := fundmatch(ctx, env, "score")
	if code != 0 || !strings.Contains(stdout, "scored 3 calls for 286 cities (858 pairs)") {
		t.Fatalf("score exited %d:\n%s%s", code, stdout, stderr)
	}
	if _, stdout, _ := fundmatch(ctx, env, "score", "--city", "gent"); !strings.Contains(stdout, "0 matches written, the rest unchanged; 0 front-runners written") {
		t.Fatalf("rescoring unchanged inputs wrote rows:\n%s", stdout)
	}
	// The sample's EIC topics closed in 2023: none is eligible, and they only
	// show when asked for, with the reason.
	_, stdout, _ = fundmatch(ctx, env, "matches", "--city", "gent", "--json")
	if strings.TrimSpace(stdout) != "[]" {
		t.Fatalf("closed calls listed by default:\n%s", stdout)
	}
	// Asked for, every listed match says why: its reasons are never empty.
	_, stdout, _ = fundmatch(ctx, env, "matches", "--city", "gent", "--json", "--include-ineligible")
	var rows []struct {
		Identifier string
		Reasons    []string
	}
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("matches --include-ineligible: %v\n%s", err, stdout)
	}
	for _, r := range rows {
		if len(r.Reasons) == 0 || r.Reasons[0] == "" {
			t.Fatalf("%s listed without reasons:\n%s", r.Identifier, stdout)
		}
	}
	code, stdout, stderr = fundmatch(ctx, env, "explain", "--city", "gent", "--call", "HORIZON-EIC-2023-ACCELERATORCHALLENGES-01", "--json")
	var ex struct {
		Match struct {
			Eligibility string
			Reasons     []struct{ Code, NL, EN string }
		}
		NL, EN string
	}
	if err := json.Unmarshal([]byte(stdout), &ex); code != 0 || err != nil {
		t.Fatalf("explain exited %d, %v:\n%s%s", code, err, stdout, stderr)
	}
	if ex.Match.Eligibility != "ineligible" || len(ex.Match.Reasons) == 0 || ex.NL == "" || ex.EN == "" {
		t.Fatalf("a closed EIC challenge must be ineligible for a city, with reasons in both languages: %+v", ex)
	}
	if code, _, stderr := fundmatch(ctx, env, "explain", "--city", "gent", "--call", "NOPE-1"); code != 1 || !strings.Contains(stderr, "no call") {
		t.Fatalf("explain of an unknown call: %d %s", code, stderr)
	}
	if code, _, _ := fundmatch(ctx, env, "matches"); code != 2 {
		t.Fatalf("matches without --city exited %d, want 2", code)
	}
}
