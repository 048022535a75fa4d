package ftportal

import (
	"slices"
	"strings"
)

// programmes maps the portal's numeric frameworkProgramme codes (search
// facet labels, see eu-sources.md §1) to short codes.
var programmes = map[string]Programme{
	"43108390": {"HORIZON", "Horizon Europe"},
	"31045243": {"H2020", "Horizon 2020"},
	"43152860": {"DIGITAL", "Digital Europe Programme"},
	"43252405": {"LIFE", "Programme for the Environment and Climate Action"},
	"43251567": {"CEF", "Connecting Europe Facility"},
	"43353764": {"ERASMUS+", "Erasmus+"},
	"43252476": {"SMP", "Single Market Programme"},
	"43251814": {"CREA", "Creative Europe"},
	"43251589": {"CERV", "Citizens, Equality, Rights and Values"},
	"43332642": {"EU4H", "EU4Health"},
	"44416173": {"I3", "Interregional Innovation Investments"},
	"43254019": {"ESF+", "European Social Fund+"},
	"43089234": {"INNOVFUND", "Innovation Fund"},
	"44181033": {"EDF", "European Defence Fund"},
	"43298916": {"EURATOM", "Euratom"},
	"43252368": {"ISF", "Internal Security Fund"},
	"43252386": {"JUST", "Justice Programme"},
	"43251447": {"AMIF", "Asylum, Migration and Integration Fund"},
	"43251530": {"BMVI", "Border Management and Visa Instrument"},
	"43392145": {"EMFAF", "European Maritime, Fisheries and Aquaculture Fund"},
	"43252449": {"RFCS", "Research Fund for Coal and Steel"},
	"43298203": {"UCPM", "Union Civil Protection Mechanism"},
	"43252517": {"SOCPL", "Social Prerogatives and Specific Competencies Lines"},
	"43637601": {"PPPA", "Pilot Projects and Preparatory Actions"},
	"43254037": {"ESC", "European Solidarity Corps"},
	"44773066": {"JTM", "Just Transition Mechanism"},
	"45532249": {"EUBA", "EU Bodies and Agencies"},
	"31059643": {"COSME", "COSME 2014-2020"},
	// External action: EuropeAid's calls for proposals carry the portal's
	// placeholder code 111111.
	"111111":   {"EUROPEAID", "EuropeAid (EU external action)"},
	"45876777": {"NDICI", "Neighbourhood, Development and International Cooperation Instrument - Global Europe"},
	"47376280": {"RELEX", "EU External Action - eGrants"},
	"43251842": {"EUAF", "Union Anti-Fraud Programme"},
	"43251882": {"IMCAP", "Information measures relating to the common agricultural policy"},
	"43252433": {"PERICLES", "Protection of the Euro against Counterfeiting (Pericles IV)"},
	"43253967": {"RENEWFM", "Renewable Energy Financing Mechanism"},
	"43298664": {"AGRIP", "Promotion of Agricultural Products"},
	"44773133": {"IMREG", "Information Measures for the EU Cohesion policy"},
	"46324255": {"ERDF-TA", "Technical assistance for ERDF, CF and JTF"},
	"47786028": {"BCS", "Business and Consumer Surveys Programme"},
}

// OtherProgramme is the one programme of the records whose programme code
// is not known here; the code the portal gave is kept in the name, and the
// raw record keeps the rest.
const OtherProgramme = "OTHER"

// byCode finds a programme by its short code.
var byCode = func() map[string]Programme {
	m := make(map[string]Programme, len(programmes))
	for _, p := range programmes {
		m[p.Code] = p
	}
	return m
}()

// Programme is a framework programme the portal publishes calls for: its
// short code (as calls carry it, e.g. HORIZON) and its full name.
type Programme struct {
	Code string
	Name string
}

// Programmes lists the framework programmes the portal's codes are known
// for, by short code, for a person to pick from (a profile's excluded
// programmes).
func Programmes() []Programme {
	out := make([]Programme, 0, len(byCode))
	for _, p := range byCode {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Programme) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// abbreviations maps programme abbreviations from topicDetails and
// grantsTenders.json (and identifier prefixes) to the same short codes.
var abbreviations = map[string]string{
	"ERASMUS2027": "ERASMUS+",
	"ERASMUS":     "ERASMUS+",
	"ESC2027":     "ESC",
	"EUROATOM":    "EURATOM",
	"INNOVFUND":   "INNOVFUND",
}

// programmeFor returns the short code and name for a record: the numeric
// frameworkProgramme code when known, else the abbreviation topicDetails
// gives, else the identifier's first segment when it names a known
// programme, else OtherProgramme. An identifier is not a programme:
// EuropeAid's ("EuropeAid/180123/DD/ACT/Multi") each became one of their own.
func programmeFor(codes []string, abbreviation, identifier string) (code, name string) {
	raw := ""
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if p, ok := programmes[c]; ok {
			return p.Code, p.Name
		}
		if raw == "" {
			raw = c
		}
	}
	if abbreviation != "" {
		a := strings.ToUpper(abbreviation)
		if s, ok := abbreviations[a]; ok {
			a = s
		}
		return a, byCode[a].Name
	}
	prefix, _, _ := strings.Cut(identifier, "-")
	prefix = strings.ToUpper(prefix)
	if s, ok := abbreviations[prefix]; ok {
		prefix = s
	}
	if p, ok := byCode[prefix]; ok {
		return p.Code, p.Name
	}
	if raw != "" {
		return OtherProgramme, "Other programme (portal code " + raw[:min(len(raw), 40)] + ")"
	}
	return OtherProgramme, "Other programme"
}
