package notify

import (
	"fmt"
	"time"
)

// QuietHours is a daily window in which instant alerts wait, e.g. 20:00 to
// 07:00 in Europe/Brussels. A window whose end is before its start runs over
// midnight; equal ends mean no quiet hours.
type QuietHours struct {
	Start, End time.Duration // offsets from local midnight, e.g. 20*time.Hour
	Location   *time.Location
}

// ParseQuietHours reads "20:00-07:00" in loc; an empty string gives no quiet
// hours.
func ParseQuietHours(s string, loc *time.Location) (QuietHours, error) {
	if s == "" {
		return QuietHours{Location: loc}, nil
	}
	var sh, sm, eh, em int
	if _, err := fmt.Sscanf(s, "%d:%d-%d:%d", &sh, &sm, &eh, &em); err != nil ||
		sh > 23 || eh > 23 || sm > 59 || em > 59 || sh < 0 || eh < 0 || sm < 0 || em < 0 {
		return QuietHours{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM", s)
	}
	return QuietHours{
		Start:    time.Duration(sh)*time.Hour + time.Duration(sm)*time.Minute,
		End:      time.Duration(eh)*time.Hour + time.Duration(em)*time.Minute,
		Location: loc,
	}, nil
}

// SendAt returns when an instant alert due at t may go out: t itself outside
// the window, otherwise the window's end. Digests ignore quiet hours; they
// are scheduled at a fixed hour anyway.
func (q QuietHours) SendAt(t time.Time) time.Time {
	if q.Start == q.End {
		return t
	}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	local := t.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	// Wall-clock offset, not elapsed time, so that DST days work.
	now := time.Duration(local.Hour())*time.Hour + time.Duration(local.Minute())*time.Minute +
		time.Duration(local.Second())*time.Second + time.Duration(local.Nanosecond())
	at := func(day time.Time, off time.Duration) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, loc)
	}
	if q.Start < q.End { // same-day window, e.g. 12:00-14:00
		if now >= q.Start && now < q.End {
			return at(midnight, q.End)
		}
		return t
	}
	switch { // over midnight, e.g. 20:00-07:00
	case now >= q.Start:
		return at(midnight.AddDate(0, 0, 1), q.End)
	case now < q.End:
		return at(midnight, q.End)
	}
	return t
}
