package matching

import (
	"math"
	"strings"
)

// Typical number of partners sharing a grant, per programme: a city's share
// of a Horizon Europe grant is a twelfth, of an ERDF Vlaanderen grant all.
var typicalPartners = map[string]float64{
	"HORIZON": 12, "DIGITAL": 8, "EU4H": 8, "LIFE": 5, "ERASMUS": 5, "CERV": 4, "CEF": 3,
	"I3": 6, "INTERREG-VLNL": 6, "INTERREG-NWE": 8, "ERDF-VL": 1, "EUI": 1, "ESF": 2,
}

// Default co-funding rates in percent when the call does not say.
var defaultFundingRates = map[string]float64{
	"HORIZON": 100, "DIGITAL": 50, "LIFE": 60, "CEF": 50, "I3": 70, "EU4H": 60, "CERV": 90,
	"ERASMUS": 80, "ESF": 60, "ERDF-VL": 40, "EUI": 80, "INTERREG-VLNL": 60, "INTERREG-NWE": 60,
}

// limburgERDFRate is the Flemish ERDF rate for projects in Limburg (40 %
// elsewhere in Flanders).
const limburgERDFRate = 60

// projectYears is the usual duration over which co-funding is spread.
const projectYears = 3

// feasibility scores 0..1 how practical a bid is: time left before the
// deadline against the preparation time, the city's share of co-funding
// against its yearly capacity, and the co-funding rate.
type feasibility struct {
	time, budget, rate float64
}

func (f feasibility) total() float64 { return 0.4*f.time + 0.35*f.budget + 0.25*f.rate }

// assessFeasibility computes the parts of feasibility. daysLeft is -1 when
// no deadline is known; grant is the EU contribution per grant in euro (0 if
// unknown); rate is the funding rate in percent (0 if unknown).
func assessFeasibility(daysLeft, prep int, grant, partners, rate, capacity float64) feasibility {
	f := feasibility{time: 0.5, budget: 0.6, rate: 0.6}
	if daysLeft >= 0 && prep > 0 {
		f.time = math.Min(1, 0.5+0.5*float64(daysLeft-prep)/float64(prep))
		f.time = math.Max(0, f.time)
	}
	if rate > 0 {
		f.rate = math.Min(1, rate/100)
	}
	if grant > 0 && capacity > 0 {
		r := rate
		if r <= 0 {
			r = 60
		}
		// The EU pays rate % of costs, so costs are grant/rate and the city
		// adds the rest of its share.
		share := grant / math.Max(partners, 1)
		cofunding := share*100/r - share
		perYear := cofunding / projectYears
		if perYear <= 0 {
			f.budget = 1
		} else {
			f.budget = math.Min(1, capacity/perYear)
		}
	}
	return f
}

// cofundingCapacity is the profile's yearly co-funding capacity, or an
// estimate of 4 euro per inhabitant when the profile does not say.
func cofundingCapacity(p Profile, c City) float64 {
	if p.CoFundingCapacity > 0 {
		return p.CoFundingCapacity
	}
	return math.Max(20000, 4*float64(c.Population))
}

// grantSize is the EU contribution per grant a call offers, in euro.
func grantSize(c *Call) float64 {
	switch {
	case c.BudgetMax != nil && *c.BudgetMax > 0:
		return *c.BudgetMax
	case c.BudgetMin != nil && *c.BudgetMin > 0:
		return *c.BudgetMin
	}
	return 0
}

// fundingRate is the call's rate, the programme default, or 0 if unknown.
func fundingRate(c *Call) float64 {
	if c.FundingRate != nil && *c.FundingRate > 0 {
		return *c.FundingRate
	}
	if c.Programme == "HORIZON" {
		for _, t := range c.TypesOfAction {
			if t == "IA" || t == "HORIZON-IA" || strings.Contains(strings.ToLower(t), "innovation action") {
				return 70
			}
		}
	}
	return defaultFundingRates[c.Programme]
}
