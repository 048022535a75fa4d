package web_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/web"
)

func TestMarkingACallFeedsTheUptakeRecord(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	u := s.addUser(t, "o@gent.be", "officer", "gent")
	officer := s.session(t, u)
	const mark = "/cities/gent/calls/HORIZON-CL5-2027-D4-01/interest"
	steps := []struct {
		name     string
		form     url.Values
		wantCode int
		wantBid  string // status|requested|granted of the officer's bid, "" for none
	}{
		{"InterestedMakesNoBid", url.Values{"status": {"interested"}, "note": {"Past bij ons klimaatplan"}}, http.StatusSeeOther, ""},
		{"SubmittedRecordsTheAmountAsked", url.Values{"status": {"submitted"}, "amount_requested": {"1.250.000,50"}}, http.StatusSeeOther, "submitted|1250000.50|"},
		{"WonRecordsTheAmountGranted", url.Values{"status": {"won"}, "amount_granted": {"900000"}}, http.StatusSeeOther, "won|1250000.50|900000.00"},
		{"UnknownStatusIsRefused", url.Values{"status": {"maybe"}}, http.StatusBadRequest, "won|1250000.50|900000.00"},
		{"BadAmountIsRefused", url.Values{"status": {"lost"}, "amount_requested": {"lots"}}, http.StatusBadRequest, "won|1250000.50|900000.00"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			code, _, body := postForm(t, s.URL+mark, officer, st.form)
			if code != st.wantCode {
				t.Fatalf("mark = %d, want %d: %s", code, st.wantCode, body)
			}
			var got string
			s.db.QueryRow(`SELECT status || '|' || coalesce(amount_requested::text, '') || '|' || coalesce(amount_granted::text, '')
				FROM bids WHERE source = 'officer'`).Scan(&got)
			if got != st.wantBid {
				t.Fatalf("officer bid = %q, want %q", got, st.wantBid)
			}
		})
	}
	var members int
	s.db.QueryRow(`SELECT count(*) FROM bid_members bm JOIN bids b ON b.id = bm.bid_id WHERE b.source = 'officer'`).Scan(&members)
	if members != 1 {
		t.Fatalf("the officer's bid has %d member cities, want 1 (Gent as lead)", members)
	}
}

func TestICalFeedListsInterestedDeadlinesBehindASecretURL(t *testing.T) {
	s := newSite(t, web.Config{BaseURL: "http://fundmatch.test"})
	s.fixture(t)
	u := s.addUser(t, "o@gent.be", "officer", "gent")
	officer := s.session(t, u)
	postForm(t, s.URL+"/cities/gent/calls/HORIZON-CL5-2027-D4-01/interest", officer, url.Values{"status": {"applying"}})
	postForm(t, s.URL+"/cities/gent/calls/DIGITAL-2027-EDIH-02/interest", officer, url.Values{"status": {"not_relevant"}})
	_, _, page := do(t, "GET", s.URL+"/cities/gent", officer, "", nil)
	feed := regexp.MustCompile(`/ical/[A-Za-z0-9_-]+\.ics`).FindString(page)
	if feed == "" {
		t.Fatal("the city page does not link the iCal feed")
	}
	code, hdr, body := do(t, "GET", s.URL+feed, nil, "", nil)
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed = %d %s", code, hdr.Get("Content-Type"))
	}
	if n := strings.Count(body, "BEGIN:VEVENT"); n != 2 || !strings.Contains(body, "HORIZON-CL5-2027-D4-01") || strings.Contains(body, "DIGITAL") {
		t.Fatalf("feed has %d events, want the two deadlines of the call being applied for:\n%s", n, body)
	}
	// The first cut-off closes at 17:00 Brussels, and the title is long
	// and not ASCII, so its lines must be folded without breaking a letter.
	var first time.Time
	s.db.QueryRow(`SELECT deadlines[1] FROM calls WHERE identifier = 'HORIZON-CL5-2027-D4-01'`).Scan(&first)
	at := time.Date(first.Year(), first.Month(), first.Day(), 17, 0, 0, 0, funding.Brussels)
	title := "Klimaatneutrale steden: proefprojecten voor wijkrenovatie, mobiliteit en energie — €3 miljoen, één oproep"
	s.db.MustExec(`UPDATE calls SET deadline_times = ARRAY[$1], title = $2 WHERE identifier = 'HORIZON-CL5-2027-D4-01'`, at.Format(time.RFC3339), title)
	_, _, body = do(t, "GET", s.URL+feed, nil, "", nil)
	if !strings.HasSuffix(body, "\r\n") {
		t.Fatal("the feed does not end its last line with CRLF")
	}
	for i, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("line %d has %d octets or splits a character: %q", i+1, len(l), l)
		}
	}
	unfolded := strings.Split(strings.ReplaceAll(body, "\r\n ", ""), "\r\n")
	want := []string{
		"BEGIN:VTIMEZONE", "TZID:Europe/Brussels",
		"DTSTART;TZID=Europe/Brussels:" + at.Format("20060102") + "T170000",
		"DTSTART;VALUE=DATE:" + first.AddDate(0, 0, 160).Format("20060102"),
		"SUMMARY:" + icalEscaped("Deadline HORIZON-CL5-2027-D4-01 (gent): "+title),
	}
	for _, w := range want {
		if !slices.Contains(unfolded, w) {
			t.Errorf("the unfolded feed has no line %q:\n%s", w, body)
		}
	}
	if n := strings.Count(body, "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-P7D\r\n"); n != 2 {
		t.Errorf("the feed has %d week-ahead alarms, want one per event (2)", n)
	}
	if strings.Contains(body, "DTEND;VALUE=DATE:"+at.AddDate(0, 0, 1).Format("20060102")) {
		t.Error("the timed deadline is still an all-day event")
	}
	forged := strings.Replace(feed, "/ical/"+strings.Split(strings.TrimPrefix(feed, "/ical/"), "-")[0], "/ical/999", 1)
	if code, _, _ := do(t, "GET", s.URL+forged, nil, "", nil); code != http.StatusNotFound {
		t.Fatalf("a forged feed URL = %d, want 404", code)
	}
}

func TestCoordinatorDecidesAndAdjustsPlansAndMembersAnswer(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	coord := s.session(t, s.addUser(t, "c@oost-vlaanderen.be", "coordinator", "gent", "aalst", "mechelen"))
	aalst := s.session(t, s.addUser(t, "o@aalst.be", "officer", "aalst"))
	ctx := context.Background()
	planID := func(rank int) string {
		var id string
		s.db.QueryRowContext(ctx, `SELECT id FROM consortium_plans WHERE rank = $1`, rank).Scan(&id)
		return id
	}
	best := "/plans/" + planID(1)
	steps := []struct {
		name    string
		cookie  *http.Cookie
		path    string
		form    url.Values
		want    int
		check   string // SQL returning text
		wantSQL string
	}{
		{"MemberOfficerConfirms", aalst, best + "/response", url.Values{"city": {"aalst"}, "response": {"confirmed"}}, 303,
			`SELECT response FROM consortium_members cm JOIN cities c ON c.id = cm.city_id WHERE c.slug = 'aalst'`, "confirmed"},
		{"OfficerCannotAnswerForAnotherCity", aalst, best + "/response", url.Values{"city": {"gent"}, "response": {"declined"}}, 403,
			`SELECT response FROM consortium_members cm JOIN cities c ON c.id = cm.city_id WHERE c.slug = 'gent' AND cm.plan_id = ` + planID(1), "pending"},
		{"OfficerCannotDecide", aalst, best + "/decision", url.Values{"decision": {"accepted"}}, 403,
			`SELECT status FROM consortium_plans WHERE rank = 1`, "proposed"},
		{"CoordinatorMakesAalstLead", coord, best + "/members", url.Values{"city": {"aalst"}, "action": {"lead"}}, 303,
			`SELECT string_agg(c.slug || ':' || cm.role || ':' || cm.response, ',' ORDER BY c.slug) FROM consortium_members cm JOIN cities c ON c.id = cm.city_id WHERE cm.plan_id = ` + planID(1),
			// A member that stays keeps its answer when it becomes the lead.
			"aalst:lead:confirmed,gent:partner:pending"},
		{"CoordinatorAddsAPartner", coord, best + "/members", url.Values{"city": {"mechelen"}, "action": {"add"}}, 303,
			`SELECT count(*)::text FROM consortium_members WHERE plan_id = ` + planID(1), "3"},
		// Brugge is not in the coordinator's set: adding it would show its
		// fit and capacity and invite its officers.
		{"CoordinatorCannotAddACityOutsideTheirSet", coord, best + "/members", url.Values{"city": {"brugge"}, "action": {"add"}}, 403,
			`SELECT count(*)::text FROM consortium_members WHERE plan_id = ` + planID(1), "3"},
		{"CoordinatorCannotMakeACityOutsideTheirSetLead", coord, best + "/members", url.Values{"city": {"brugge"}, "action": {"lead"}}, 403,
			`SELECT count(*)::text FROM consortium_members WHERE plan_id = ` + planID(1), "3"},
		{"CannotRemoveTheLead", coord, best + "/members", url.Values{"city": {"aalst"}, "action": {"remove"}}, 400,
			`SELECT count(*)::text FROM consortium_members WHERE plan_id = ` + planID(1), "3"},
		{"CoordinatorRemovesAPartner", coord, best + "/members", url.Values{"city": {"mechelen"}, "action": {"remove"}}, 303,
			`SELECT count(*)::text FROM consortium_members WHERE plan_id = ` + planID(1), "2"},
		{"CoordinatorAccepts", coord, best + "/decision", url.Values{"decision": {"accepted"}}, 303,
			`SELECT status FROM consortium_plans WHERE rank = 1`, "accepted"},
		{"CoordinatorRejectsTheAlternative", coord, "/plans/" + planID(2) + "/decision", url.Values{"decision": {"rejected"}}, 303,
			`SELECT status FROM consortium_plans WHERE rank = 2`, "rejected"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if code, _, body := postForm(t, s.URL+st.path, st.cookie, st.form); code != st.want {
				t.Fatalf("POST %s = %d, want %d: %.300s", st.path, code, st.want, body)
			}
			var got string
			if err := s.db.QueryRowContext(ctx, st.check).Scan(&got); err != nil || got != st.wantSQL {
				t.Fatalf("after the step: %q (%v), want %q", got, err, st.wantSQL)
			}
		})
	}
}

func TestOpenDataNeedsNoSignInAndCarriesTheLicence(t *testing.T) {
	s := newSite(t, web.Config{BaseURL: "http://fundmatch.test"})
	s.fixture(t)
	code, _, body := do(t, "GET", s.URL+"/open/calls.json", nil, "", nil)
	var doc struct {
		Licence string
		Count   int
		Data    []web.OpenCall
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || code != 200 || doc.Count != 3 || !strings.Contains(doc.Licence, "CC BY 4.0") {
		t.Fatalf("calls.json = %d, %d calls, licence %q, %v", code, doc.Count, doc.Licence, err)
	}
	code, _, body = do(t, "GET", s.URL+"/open/calls.csv", nil, "", nil)
	if lines := strings.Count(body, "\n"); code != 200 || lines != 5 || !strings.Contains(body, "CC BY 4.0") {
		t.Fatalf("calls.csv = %d with %d lines:\n%s", code, lines, body)
	}
	code, _, body = do(t, "GET", s.URL+"/open/calls.atom", nil, "", nil)
	var feed struct {
		Rights  string `xml:"rights"`
		Entries []struct {
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(body), &feed); err != nil || code != 200 || len(feed.Entries) != 3 || !strings.Contains(feed.Rights, "CC BY 4.0") {
		t.Fatalf("calls.atom = %d, %d entries, %v", code, len(feed.Entries), err)
	}
}

func TestACrawledScriptRendersInert(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	officer := s.session(t, s.addUser(t, "o@gent.be", "officer", "gent"))
	code, _, body := do(t, "GET", s.URL+"/calls/LIFE-2027-XSS", officer, "", nil)
	if code != 200 || !strings.Contains(body, "Safe text") {
		t.Fatalf("call page = %d", code)
	}
	for _, bad := range []string{"<script>document", "onerror", "pwned"} {
		if strings.Contains(body, bad) {
			t.Errorf("the call page carries %q from the crawled description", bad)
		}
	}
}

func TestSavingTheProfileStoresItWithoutPretendingToRescore(t *testing.T) {
	s := newSite(t, web.Config{})
	officer := s.session(t, s.addUser(t, "o@gent.be", "officer", "gent"))
	form := url.Values{"keywords_nl": {"klimaat, mobiliteit\nfiets; Klimaat"}, "keywords_en": {"climate"}, "excluded_programmes": {"edf, LIFE"},
		"preparation_days": {"45"}, "max_concurrent_bids": {"3"}, "cofunding_capacity": {"250.000"}}
	for _, d := range []string{"economy", "government", "people", "living", "mobility", "environment"} {
		form.Set("weight_"+d, "0.5")
	}
	form.Set("weight_mobility", "0,9")
	if code, _, body := postForm(t, s.URL+"/cities/gent/profile", officer, form); code != http.StatusSeeOther {
		t.Fatalf("save = %d: %s", code, body)
	}
	p, err := s.st.ProfileBySlug(context.Background(), "gent")
	if err != nil {
		t.Fatal(err)
	}
	// The form accepts what the API and the profiles file accept: repeated
	// keywords once, programme codes in capitals.
	if p.Mobility != 0.9 || strings.Join(p.KeywordsNL, "|") != "klimaat|mobiliteit|fiets" || *p.PreparationDays != 45 ||
		p.CoFundingCapacity != 250000 || strings.Join(p.ExcludedProgrammes, "|") != "EDF|LIFE" || p.MaxConcurrentBids != 3 {
		t.Fatalf("saved profile = %+v", p)
	}
	for field, value := range map[string]string{"weight_people": "2", "excluded_programmes": "Horizon Europe!", "max_concurrent_bids": "101",
		"preparation_days": "-1", "cofunding_capacity": "-5"} {
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set(field, value)
		if code, _, body := postForm(t, s.URL+"/cities/gent/profile", officer, bad); code != http.StatusBadRequest || !strings.Contains(body, field) {
			t.Errorf("%s=%q: %d, body names the field: %v", field, value, code, strings.Contains(body, field))
		}
	}
}

// icalEscaped escapes TEXT as RFC 5545 says, for comparing with the feed.
func icalEscaped(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`).Replace(s)
}
