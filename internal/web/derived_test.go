package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

func TestADerivedProfileIsMarkedUntilTheOfficerSavesIt(t *testing.T) {
	s := newSite(t, web.Config{})
	u := s.addUser(t, "o@herstappe.be", "officer", "herstappe")
	officer, cookie := s.token(t, u), s.session(t, u)
	derived := func() bool {
		t.Helper()
		code, _, body := do(t, "GET", s.URL+"/api/v1/cities/herstappe/profile", nil, officer, nil)
		var got struct {
			Data struct {
				Derived    *bool    `json:"derived"`
				KeywordsNL []string `json:"keywords_nl"`
			}
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil || code != 200 || got.Data.Derived == nil {
			t.Fatalf("GET profile = %d %s", code, body)
		}
		return *got.Data.Derived
	}
	if !derived() {
		t.Fatal("the seeded starter profile of Herstappe is not derived")
	}
	if _, _, page := do(t, "GET", s.URL+"/cities/herstappe/profile", cookie, "", nil); !strings.Contains(page, "Afgeleid profiel — pas het aan") {
		t.Fatalf("the profile page does not say the profile is derived:\n%s", page)
	}
	in := `{"domain_weights": {"environment": 0.9}, "keywords_nl": ["trage wegen"]}`
	if code, _, body := do(t, "PUT", s.URL+"/api/v1/cities/herstappe/profile", nil, officer, strings.NewReader(in)); code != 200 {
		t.Fatalf("PUT profile = %d %s", code, body)
	}
	if derived() {
		t.Fatal("the officer saved the profile but it is still marked derived")
	}
	if _, _, page := do(t, "GET", s.URL+"/cities/herstappe/profile", cookie, "", nil); strings.Contains(page, "Afgeleid profiel") {
		t.Fatal("the profile page still says the saved profile is derived")
	}
}
