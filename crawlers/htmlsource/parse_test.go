package htmlsource

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseDates(t *testing.T) {
	tests := []struct {
		in   string
		want []time.Time
	}{
		{"31 maart 2024 om 17u", []time.Time{day("2024-03-31")}},
		{"29 maart 2024", []time.Time{day("2024-03-29")}},
		{"Deze tweede projectoproep wordt afgesloten op 9 februari 2023, stipt om 18:00.", []time.Time{day("2023-02-09")}},
		{"open until Thursday, 16 January 2025 12:00 CET", []time.Time{day("2025-01-16")}},
		{"16/01/2025", []time.Time{day("2025-01-16")}},
		{"Deadline vooraanmelding: 29 maart 2024 / Deadline indiening: 28 juni 2024", []time.Time{day("2024-03-29"), day("2024-06-28")}},
		{"January 16, 2025", []time.Time{day("2025-01-16")}},
		{"2025-01-16T12:00", []time.Time{day("2025-01-16")}},
		{"1 okt. 2021", []time.Time{day("2021-10-01")}},
		{"31/02/2024 is no date", nil},
		{"01/01/0000 and 12 december 10000", nil}, // PostgreSQL has no year 0
		{"1 januari 1900, 1 januari 2101", nil},
		{"budget 2021-2027", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ParseDates(tt.in)); diff != "" {
				t.Errorf("ParseDates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in     string
		want   float64
		wantOK bool
	}{
		{"€ 49,5 miljoen", 49.5e6, true},
		{"69 miljoen euro", 69e6, true},
		{"€287 million", 287e6, true},
		{"1.000.000 euro", 1e6, true},
		{"EUR 2,700,000.00", 2.7e6, true},
		{"12.500.000,00 €", 12.5e6, true},
		{"een oproepenveloppe van € 70 miljoen", 70e6, true},
		{"Oproep 2023: 4 miljoen euro EFRO-middelen", 4e6, true},
		{"€120 million ERDF", 120e6, true},
		{"1.000 euro", 1000, true},
		{"geen bedrag", 0, false},
		{"999999999999999999999999 miljard euro", 0, false},
		{"999999999999999999999999 miljard euro, max. € 200.000", 200000, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseAmount(tt.in)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("ParseAmount = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestParsePercent(t *testing.T) {
	tests := []struct {
		in     string
		want   float64
		wantOK bool
	}{
		{"max. 40%", 40, true},
		{"maximaal 50 procent van de kosten", 50, true},
		{"The programme can fund 60% of a project", 60, true},
		{"max. 40% (Limburg: 60%)", 40, true},
		{"co-financing 80 %", 80, true},
		{"geen steunpercentage", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParsePercent(tt.in)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("ParsePercent = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
