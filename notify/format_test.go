package notify

import (
	"testing"
	"time"
)

func TestFormatDateWritesTheMonthInTheLanguage(t *testing.T) {
	tests := []struct {
		name string
		lang Language
		in   time.Time
		want string
	}{
		{"dutch month in lower case", Dutch, day(2026, time.November, 23), "23 november 2026"},
		{"english month capitalised", English, day(2026, time.November, 23), "23 November 2026"},
		{"dutch march is maart", Dutch, day(2027, time.March, 1), "1 maart 2027"},
		{"late UTC evening is the next Brussels day", Dutch, time.Date(2026, time.May, 31, 23, 0, 0, 0, time.UTC), "1 juni 2026"},
		{"zero time is unknown in dutch", Dutch, time.Time{}, "onbekend"},
		{"zero time is unknown in english", English, time.Time{}, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatDate(tt.lang, tt.in); got != tt.want {
				t.Errorf("FormatDate(%s, %v) = %q, want %q", tt.lang, tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatEuroWritesTheWholeAmountTheCatalogueWay(t *testing.T) {
	tests := []struct {
		name   string
		amount *float64
		nl, en string
	}{
		{"millions in full", euro(1_250_000), "€ 1.250.000", "€1,250,000"},
		{"small amounts", euro(950), "€ 950", "€950"},
		{"cents are rounded", euro(12_345.6), "€ 12.346", "€12,346"},
		{"nil is not stated", nil, "niet vermeld", "not stated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatEuro(Dutch, tt.amount); got != tt.nl {
				t.Errorf("Dutch: got %q, want %q", got, tt.nl)
			}
			if got := FormatEuro(English, tt.amount); got != tt.en {
				t.Errorf("English: got %q, want %q", got, tt.en)
			}
		})
	}
}

func TestDaysLeftCountsCalendarDaysFromTheAlertDay(t *testing.T) {
	tests := []struct {
		name     string
		day      time.Time
		deadline time.Time
		want     int
		ok       bool
	}{
		{"three weeks", day(2026, time.November, 23), day(2026, time.December, 14), 21, true},
		{"across the DST change", day(2026, time.October, 20), day(2026, time.November, 3), 14, true},
		{"deadline today", day(2026, time.November, 23), time.Date(2026, time.November, 23, 17, 0, 0, 0, time.UTC), 0, true},
		{"no deadline", day(2026, time.November, 23), time.Time{}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Alert{Day: tt.day, Call: Call{Deadline: tt.deadline}}
			got, ok := a.DaysLeft()
			if got != tt.want || ok != tt.ok {
				t.Errorf("DaysLeft() = %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestTextFallsBackToTheOtherLanguage(t *testing.T) {
	tests := []struct {
		name string
		text Text
		lang Language
		want string
	}{
		{"dutch", Text{NL: "ja", EN: "yes"}, Dutch, "ja"},
		{"english", Text{NL: "ja", EN: "yes"}, English, "yes"},
		{"english missing", Text{NL: "ja"}, English, "ja"},
		{"dutch missing", Text{EN: "yes"}, Dutch, "yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.text.In(tt.lang); got != tt.want {
				t.Errorf("In(%s) = %q, want %q", tt.lang, got, tt.want)
			}
		})
	}
}
