package htmlsource

import (
	"strings"
	"testing"
)

func TestShippedSourcesAreValid(t *testing.T) {
	sources, err := Sources()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range sources {
		names = append(names, s.Name)
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
	if got := strings.Join(names, ","); got != "eui,interreg-nwe,interreg-vlnl,vlaio-efro" {
		t.Errorf("shipped sources %s", got)
	}
	sources[0].ListURLs[0] = "changed"
	again, _ := Sources()
	if again[0].ListURLs[0] == "changed" {
		t.Error("Sources shares its configurations between callers")
	}
}

func TestValidateNamesEveryProblem(t *testing.T) {
	rate := 140.0
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error
	}{
		{"empty", Config{}, []string{"name", "programme", "list_urls", "item", "fields.title"}},
		{"bad URL and selectors", Config{
			Name: "x", Programme: "X", ListURLs: []string{"ftp://example.org/list"}, Item: "div[",
			Fields: Fields{Title: "h1", Deadlines: []string{"p.deadline", "span:nth-child("}},
		}, []string{`"ftp://example.org/list" is not an http(s) URL`, "item: selector", "fields.deadlines[1]"}},
		{"rate over 100", Config{
			Name: "x", Programme: "X", ListURLs: []string{"https://example.org"}, Item: "li", FundingRate: &rate,
			Fields: Fields{Title: "h1"},
		}, []string{"funding_rate: 140"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if err == nil {
				t.Fatal("Validate accepted the configuration")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestParseConfigRejectsUnknownFields(t *testing.T) {
	_, err := ParseConfig([]byte(`{"name":"x","programme":"X","list_urls":["https://example.org"],"item":"li","fields":{"title":"h1","deadline":"p"}}`))
	if err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("err = %v, want the misspelt field named", err)
	}
}

func TestSplitSelector(t *testing.T) {
	tests := []struct{ in, css, attr string }{
		{"time.deadline@datetime", "time.deadline", "datetime"},
		{"@id", "", "id"},
		{"h1", "h1", ""},
		{`a[href$="@x"]`, `a[href$="@x"]`, ""},
	}
	for _, tt := range tests {
		if css, attr := splitSelector(tt.in); css != tt.css || attr != tt.attr {
			t.Errorf("splitSelector(%q) = %q, %q", tt.in, css, attr)
		}
	}
}
