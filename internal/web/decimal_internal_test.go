package web

import "testing"

// TestParseNumberReadsEachLanguagesMarks: a Dutch page takes decimal
// commas and dot-grouped thousands, still reads a plain decimal point, and
// refuses what is not one number; an English page the other way round.
func TestParseNumberReadsEachLanguagesMarks(t *testing.T) {
	tests := []struct {
		lang, in string
		want     float64
		ok       bool
	}{
		{"nl", "12,5", 12.5, true},
		{"nl", "1.250.000,50", 1250000.5, true},
		{"nl", "€ 1.250.000,50", 1250000.5, true},
		{"nl", "1 250 000,50", 1250000.5, true},
		{"nl", "1\u00a0250\u00a0000", 1250000, true},
		{"nl", "250.000", 250000, true},
		{"nl", "12.5", 12.5, true},
		{"nl", "0.125", 0.125, true},
		{"nl", "0,9", 0.9, true},
		{"nl", "12500.50", 12500.5, true},
		{"nl", "-5", -5, true},
		{"nl", "12,5,3", 0, false},
		{"nl", "1.2.3", 0, false},
		{"nl", "1.25.000,5", 0, false},
		{"nl", "1e308", 0, false},
		{"nl", "NaN", 0, false},
		{"nl", "0x10", 0, false},
		{"nl", "", 0, false},
		{"nl", "twaalf", 0, false},
		{"en", "1,250,000.50", 1250000.5, true},
		{"en", "12.5", 12.5, true},
		{"en", "12,5", 12.5, true},
		{"en", "250,000", 250000, true},
		{"en", "1.250.000,50", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseNumber(tt.in, tt.lang)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseNumber(%q, %s) = %v %v, want %v %v", tt.in, tt.lang, got, ok, tt.want, tt.ok)
		}
	}
}

// TestFormatNumberRoundTrips: what the form shows reads back as the same
// number in the same language.
func TestFormatNumberRoundTrips(t *testing.T) {
	for _, lang := range []string{"nl", "en"} {
		for _, v := range []float64{0, 0.5, 12.5, 250000, 1250000.5, 999999999999.99} {
			s := formatNumber(v, lang)
			if got, ok := parseNumber(s, lang); !ok || got != v {
				t.Errorf("formatNumber(%v, %s) = %q, which reads back as %v %v", v, lang, s, got, ok)
			}
		}
	}
	if got := formatNumber(1250000.5, "nl"); got != "1.250.000,5" {
		t.Errorf("formatNumber(1250000.5, nl) = %q", got)
	}
}
