package funding

import (
	"errors"
	"testing"
)

func TestParseStatusAndEligibility(t *testing.T) {
	for _, s := range Statuses {
		if got, err := ParseStatus(string(s)); err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %q, %v", s, got, err)
		}
	}
	for _, e := range Eligibilities {
		if got, err := ParseEligibility(string(e)); err != nil || got != e {
			t.Errorf("ParseEligibility(%q) = %q, %v", e, got, err)
		}
	}
	tests := []struct {
		name, in, want string
		parse          func(string) (string, error)
	}{
		{"status in another case", "Open", `status "Open": want forthcoming, open or closed`,
			func(s string) (string, error) { v, err := ParseStatus(s); return string(v), err }},
		{"empty status", "", `status "": want forthcoming, open or closed`,
			func(s string) (string, error) { v, err := ParseStatus(s); return string(v), err }},
		{"eligibility with a space", "eligible ", `eligibility "eligible ": want eligible, ineligible or unknown`,
			func(s string) (string, error) { v, err := ParseEligibility(s); return string(v), err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.parse(tt.in)
			var ve *ValueError
			if !errors.As(err, &ve) || got != "" {
				t.Fatalf("got %q, %v; want \"\" and a *ValueError", got, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error %q, want %q", err, tt.want)
			}
		})
	}
	if Status("open").Valid() != true || Status("opened").Valid() || Eligibility("").Valid() {
		t.Error("Valid disagrees with the sets")
	}
}

func TestValueErrorWant(t *testing.T) {
	for _, tt := range []struct {
		allowed []string
		want    string
	}{
		{[]string{"nl"}, "want nl"},
		{[]string{"nl", "en"}, "want nl or en"},
		{[]string{"a", "b", "c"}, "want a, b or c"},
	} {
		if got := (&ValueError{Field: "f", Allowed: tt.allowed}).Want(); got != tt.want {
			t.Errorf("Want() of %v = %q, want %q", tt.allowed, got, tt.want)
		}
	}
}
