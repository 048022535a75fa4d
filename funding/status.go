package funding

import "time"

// DeriveStatus returns a call's state from its dates, ignoring whatever the
// source claims: closed when the last deadline is before today, forthcoming
// when the opening date is after today, open otherwise. A deadline equal to
// today is still open (dates are kept at 00:00, the real cut-off is later
// that day). A call without deadlines is open once it has opened
// (continuous calls).
func DeriveStatus(opening *time.Time, deadlines []time.Time, today time.Time) Status {
	today = Date(today)
	if len(deadlines) > 0 {
		last := deadlines[0]
		for _, d := range deadlines[1:] {
			if d.After(last) {
				last = d
			}
		}
		if last.Before(today) {
			return StatusClosed
		}
	}
	if opening != nil && opening.After(today) {
		return StatusForthcoming
	}
	return StatusOpen
}
