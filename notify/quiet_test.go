package notify

import (
	"testing"
	"time"
)

func TestQuietHoursDelayAlertsToTheWindowsEnd(t *testing.T) {
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	night, err := ParseQuietHours("20:00-07:00", brussels)
	if err != nil {
		t.Fatal(err)
	}
	lunch, err := ParseQuietHours("12:00-13:30", brussels)
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, brussels) }
	tests := []struct {
		name  string
		quiet QuietHours
		due   time.Time
		want  time.Time
	}{
		{"daytime goes out at once", night, at(2026, 11, 23, 10, 0), at(2026, 11, 23, 10, 0)},
		{"evening waits for next morning", night, at(2026, 11, 23, 21, 15), at(2026, 11, 24, 7, 0)},
		{"window start is quiet", night, at(2026, 11, 23, 20, 0), at(2026, 11, 24, 7, 0)},
		{"early morning waits for the same morning", night, at(2026, 11, 24, 3, 0), at(2026, 11, 24, 7, 0)},
		{"window end is not quiet", night, at(2026, 11, 24, 7, 0), at(2026, 11, 24, 7, 0)},
		{"night of the DST change", night, at(2026, 3, 28, 23, 0), at(2026, 3, 29, 7, 0)},
		{"same-day window", lunch, at(2026, 11, 23, 12, 45), at(2026, 11, 23, 13, 30)},
		{"outside same-day window", lunch, at(2026, 11, 23, 14, 0), at(2026, 11, 23, 14, 0)},
		{"no quiet hours", QuietHours{}, at(2026, 11, 23, 23, 0), at(2026, 11, 23, 23, 0)},
		{"UTC input is read in Brussels time", night, time.Date(2026, 11, 23, 19, 30, 0, 0, time.UTC), at(2026, 11, 24, 7, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.quiet.SendAt(tt.due); !got.Equal(tt.want) {
				t.Errorf("SendAt(%v) = %v, want %v", tt.due, got, tt.want)
			}
		})
	}
}

func TestParseQuietHoursRejectsNonsense(t *testing.T) {
	for _, s := range []string{"20-07", "25:00-07:00", "20:00-07:60", "evening", "20:00"} {
		if _, err := ParseQuietHours(s, time.UTC); err == nil {
			t.Errorf("ParseQuietHours(%q) accepted", s)
		}
	}
}
