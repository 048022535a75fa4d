package matching

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/i18n"
)

// eligibilityFactor is the weight of the eligibility status in the score.
func eligibilityFactor(e funding.Eligibility) float64 {
	switch e {
	case funding.Eligible:
		return 1
	case funding.EligibilityUnknown:
		return 0.85
	}
	return 0
}

// worse returns the more restrictive of two statuses.
func worse(a, b funding.Eligibility) funding.Eligibility {
	if a == funding.Ineligible || b == funding.Ineligible {
		return funding.Ineligible
	}
	if a == funding.EligibilityUnknown || b == funding.EligibilityUnknown {
		return funding.EligibilityUnknown
	}
	return funding.Eligible
}

// Reason explains an eligibility decision, in Dutch and English.
type Reason struct {
	Code string `json:"code"` // stable, e.g. "deadline-too-close"
	NL   string `json:"nl"`
	EN   string `json:"en"`
}

// Reason codes.
const (
	ReasonClosed            = "closed"
	ReasonDeadlinePassed    = "deadline-passed"
	ReasonNoDeadline        = "no-deadline"
	ReasonDeadlineTooClose  = "deadline-too-close"
	ReasonProgrammeExcluded = "programme-excluded"
	ReasonOutsideArea       = "outside-programme-area"
	ReasonAreaUnknown       = "area-unknown"
	ReasonApplicantType     = "local-authorities-cannot-apply"
	ReasonApplicantTypeCue  = "applicant-type-unclear"
	ReasonTender            = "tender"
	ReasonPopulation        = "population-limit"
)

// defaultPreparationDays is the preparation time of programmes without a
// default of their own.
const defaultPreparationDays = 21

// preparationDays are the per-programme defaults for the time a city needs
// to prepare a bid; other programmes need defaultPreparationDays.
var preparationDays = map[string]int{
	"HORIZON": 45, "LIFE": 45, "CEF": 45, "I3": 45, "EUI": 45, "DIGITAL": 40, "EU4H": 40,
	"INTERREG-VLNL": 35, "INTERREG-NWE": 35, "ERDF-VL": 30, "CERV": 30, "ERASMUS": 30, "ESF": 30,
}

// callRules holds the eligibility facts of a call that do not depend on the
// city: its status, its kind, its programme's applicant rules and text cues.
func callRules(c *Call) (funding.Eligibility, []Reason) {
	status, reasons := funding.Eligible, []Reason(nil)
	add := func(s funding.Eligibility, r Reason) {
		status = worse(status, s)
		reasons = append(reasons, r)
	}
	if c.Status == StatusClosed {
		add(funding.Ineligible, reason(ReasonClosed, "reason.closed"))
	}
	if c.Kind == KindTender || isTender(c) {
		add(funding.Ineligible, reason(ReasonTender, "reason.tender"))
	}
	if scheme, action := researcherScheme(c); scheme != "" {
		if action != "" {
			add(funding.Ineligible, reason(ReasonApplicantType, "reason.applicant_type_action", scheme, action))
		} else {
			add(funding.Ineligible, reason(ReasonApplicantType, "reason.applicant_type", scheme))
		}
		return status, reasons
	}
	if cue, where := applicantCue(c); cue != "" {
		if where == "description" {
			add(funding.EligibilityUnknown, reason(ReasonApplicantTypeCue, "reason.applicant_cue", cue))
		} else {
			add(funding.Ineligible, reason(ReasonApplicantType, "reason.other_applicants", cue, i18n.Both("place."+strings.ReplaceAll(where, " ", "_"))))
		}
	}
	return status, reasons
}

// researcherScheme names the schemes local public authorities cannot apply
// to: EIC (start-ups and SMEs, grants and equity), ERC (principal
// investigators) and MSCA (researchers' mobility, postdoctoral fellowships).
// The type of action is the portal's own word and is read first, and the
// action that says so is returned ("HORIZON EIC Equity Only" on a topic whose
// identifier does not say EIC); then the identifier and the programme. A
// cascade call's types of action are its parent grant's, not its own.
func researcherScheme(c *Call) (scheme, action string) {
	if c.Kind != KindCascade {
		for _, a := range c.TypesOfAction {
			for _, w := range codeWords(a) {
				if isScheme(w) {
					return w, a
				}
			}
		}
	}
	id := strings.ToUpper(c.Identifier)
	for _, s := range []string{"EIC", "ERC", "MSCA"} {
		if c.Programme == s || strings.HasPrefix(id, s+"-") || strings.Contains(id, "-"+s+"-") {
			return s, ""
		}
	}
	return "", ""
}

func isScheme(w string) bool { return w == "EIC" || w == "ERC" || w == "MSCA" }

// codeWords splits a type of action or an identifier into its upper-case
// words and code segments: "HORIZON-TMA-MSCA-PF-EF" -> HORIZON TMA MSCA PF EF.
func codeWords(s string) []string {
	return strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool {
		return r == ' ' || r == '-' || r == '/' || r == '_' || r == '(' || r == ')' || r == ','
	})
}

// isTender reports whether a call is a procurement the Commission buys
// with, not a grant: its type of action says tender or procurement (but
// pre-commercial procurement and public procurement of innovative solutions
// are grants to public buyers, cities among them), its title calls for
// tenders, or its identifier is a procurement reference such as
// "EC-CNECT/2027/OP/0012" (open, restricted or negotiated procedure).
func isTender(c *Call) bool {
	if c.Kind == KindCascade {
		return false
	}
	for _, a := range c.TypesOfAction {
		a = normalise(a)
		if strings.Contains(a, " pre-commercial ") || strings.Contains(a, " innovative solutions ") ||
			strings.Contains(a, " pcp ") || strings.Contains(a, " ppi ") {
			continue
		}
		if containsAny(a, []string{"tender", "procurement"}) != "" {
			return true
		}
	}
	if strings.Contains(normalise(c.Title), " call for tenders ") {
		return true
	}
	// A procurement reference names the procedure right after the year:
	// <year>/OP, <year>/EA-RP.
	ws := codeWords(c.Identifier)
	for i := 0; i+1 < len(ws); i++ {
		if y, err := strconv.Atoi(ws[i]); err != nil || len(ws[i]) != 4 || y < 2000 {
			continue
		}
		next := ws[i+1]
		if next == "EA" && i+2 < len(ws) {
			next = ws[i+2]
		}
		if next == "OP" || next == "RP" || next == "NP" {
			return true
		}
	}
	return false
}

// Cues that the applicants are not public authorities. Notes and title cues
// are decisive; description cues only raise doubt because a city call may
// mention start-ups as target group.
var (
	strictCues = []string{
		"smes only", "only smes", "sme only", "start-ups", "startups", "start-up companies", "individual researchers",
		"equity", "companies only", "only companies", "for-profit", "private companies", "single company",
		"principal investigator", "doctoral", "postdoctoral", "fellowship", "enkel kmo", "alleen kmo",
		"enkel ondernemingen", "alleen ondernemingen", "uitsluitend ondernemingen", "starters",
		"scale-up companies", "designated by member states", "designated by the member state",
		"national competent authorities", "competent national", "national coordination centres",
		"higher education institutions only", "less developed regions", "defence industry",
	}
	descriptionCues = []string{
		"smes only", "only smes", "individual researchers", "equity investment", "equity financing",
		"companies only", "single company", "principal investigator", "uitsluitend ondernemingen",
	}
	publicCues = []string{
		"local authorit", "public authorit", "municipalit", "public bod", "cities", "lokale besturen",
		"gemeenten", "steden", "lokale overheden", "public administrations",
	}
)

// applicantCue returns the first cue that the applicants must be companies
// or researchers, and where it was found ("eligibility notes", "type of
// action", "title" or "description"). A cascade call's types of action are
// its parent grant's.
func applicantCue(c *Call) (cue, where string) {
	notes := normalise(c.EligibilityNotes)
	publicNamed := containsAny(notes, publicCues) != ""
	if !publicNamed {
		if cue := containsAny(notes, strictCues); cue != "" {
			return cue, "eligibility notes"
		}
	}
	if c.Kind != KindCascade {
		for _, a := range c.TypesOfAction {
			if cue := containsAny(normalise(a), strictCues); cue != "" {
				return cue, "type of action"
			}
		}
	}
	if cue := containsAny(normalise(c.Title), strictCues); cue != "" {
		return cue, "title"
	}
	if publicNamed {
		return "", ""
	}
	if cue := containsAny(normalise(c.Summary+" "+c.Description), descriptionCues); cue != "" {
		return cue, "description"
	}
	return "", ""
}

// reason is the eligibility reason with the given code, its words from the
// catalogue with args filled in.
func reason(code, key string, args ...any) Reason {
	t := i18n.Both(key, args...)
	return Reason{code, t.NL, t.EN}
}

// normalise lower-cases and folds text and pads it with spaces so cues match
// whole words.
func normalise(s string) string {
	return " " + strings.Join(wordsKeepHyphen(s), " ") + " "
}

// wordsKeepHyphen is words() but keeps hyphens inside words ("start-ups").
func wordsKeepHyphen(s string) []string {
	return strings.FieldsFunc(strings.Map(func(r rune) rune {
		r = fold(unicode.ToLower(r))
		if r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, s), func(r rune) bool { return r == ' ' })
}

func containsAny(text string, cues []string) string {
	for _, c := range cues {
		if strings.Contains(text, " "+c) {
			return c
		}
	}
	return ""
}

// geography decides whether a programme's area covers a city, given its
// normalised province and arrondissement (see place).
func geography(programme, city, prov, arr string, kind CityKind) (funding.Eligibility, *Reason) {
	switch programme {
	case "INTERREG-VLNL", "INTERREG-NWE", "ERDF-VL":
	default:
		return funding.Eligible, nil
	}
	flemish := prov == "antwerpen" || prov == "limburg" || prov == "oost-vlaanderen" ||
		prov == "west-vlaanderen" || prov == "vlaams-brabant"
	brussels := prov == "brussel" || prov == "brussels" || prov == "brussels-hoofdstad" || kind == CityVGC
	outside := func(area string) (funding.Eligibility, *Reason) {
		r := reason(ReasonOutsideArea, "reason.outside_area", city, area)
		return funding.Ineligible, &r
	}
	if prov == "" && !brussels {
		r := reason(ReasonAreaUnknown, "reason.province_unknown")
		return funding.EligibilityUnknown, &r
	}
	switch programme {
	case "INTERREG-VLNL":
		switch {
		case prov == "antwerpen" || prov == "limburg" || prov == "oost-vlaanderen":
			return funding.Eligible, nil
		case prov == "vlaams-brabant" && arr == "leuven":
			return funding.Eligible, nil
		case prov == "west-vlaanderen" && arr == "":
			r := reason(ReasonAreaUnknown, "reason.arrondissement_unknown")
			return funding.EligibilityUnknown, &r
		case prov == "west-vlaanderen" && arr != "veurne" && arr != "ieper":
			return funding.Eligible, nil
		}
		return outside("Interreg Vlaanderen-Nederland")
	case "INTERREG-NWE":
		if flemish || brussels {
			return funding.Eligible, nil
		}
		return outside("Interreg North-West Europe")
	default: // ERDF-VL covers the Flemish Region, not Brussels
		if flemish && !brussels {
			return funding.Eligible, nil
		}
		return outside("EFRO Vlaanderen")
	}
}

// place normalises a province or arrondissement name: "Provincie
// Oost-Vlaanderen" -> "oost-vlaanderen".
func place(s string) string {
	ws := wordsKeepHyphen(s)
	if len(ws) > 0 && (ws[0] == "provincie" || ws[0] == "province" || ws[0] == "arrondissement") {
		ws = ws[1:]
	}
	return strings.Join(ws, "-")
}

// nextDeadline returns the first deadline on or after now, or -1.
func nextDeadline(deadlines []day, now day) day {
	for _, d := range deadlines {
		if d >= now {
			return d
		}
	}
	return -1
}

// deadlineCheck decides whether the next deadline leaves the preparation
// time, and returns the days left (-1 without a next deadline).
func deadlineCheck(deadlines []day, now day, prep int) (funding.Eligibility, *Reason, int) {
	for _, d := range deadlines {
		if d < now {
			continue
		}
		days := int(d - now)
		if days < prep {
			next := i18n.Text{NL: i18n.Date(i18n.NL, d.time()), EN: i18n.Date(i18n.EN, d.time())}
			r := reason(ReasonDeadlineTooClose, "reason.deadline_too_close", next, days, prep)
			return funding.Ineligible, &r, days
		}
		return funding.Eligible, nil, days
	}
	if len(deadlines) > 0 {
		return funding.Ineligible, &reasonDeadlinePassed, -1
	}
	return funding.EligibilityUnknown, &reasonNoDeadline, -1
}

var (
	reasonDeadlinePassed = reason(ReasonDeadlinePassed, "reason.deadline_passed")
	reasonNoDeadline     = reason(ReasonNoDeadline, "reason.no_deadline")
)

// populationLimit matches a size limit on applicants in eligibility notes,
// in English or Dutch: "at least 50,000 inhabitants", "minder dan 100.000
// inwoners".
var populationLimit = regexp.MustCompile(`(?i)(at least|a minimum of|minimum of|minimum|more than|over|fewer than|less than|under|below|up to|a maximum of|maximum of|minstens|meer dan|minder dan|tot|maximaal|maximum)\s+(\d{1,3}(?:[ .,]\d{3})+|\d+)\s+(inhabitants|residents|population|inwoners)`)

// populationLimits returns the smallest and largest population a call's
// notes allow (0 when unlimited).
func populationLimits(notes string) (lo, hi int) {
	for _, m := range populationLimit.FindAllStringSubmatch(notes, -1) {
		n, err := strconv.Atoi(strings.NewReplacer(",", "", ".", "", " ", "").Replace(m[2]))
		if err != nil {
			continue
		}
		switch strings.ToLower(m[1]) {
		case "at least", "a minimum of", "minimum of", "minimum", "minstens":
			lo = n
		case "more than", "over", "meer dan":
			lo = n + 1
		case "fewer than", "less than", "under", "below", "minder dan":
			hi = n - 1
		default:
			hi = n
		}
	}
	return lo, hi
}

// populationCheck decides whether a city's population meets a call's limits.
func populationCheck(lo, hi, population int) (funding.Eligibility, *Reason) {
	if lo == 0 && hi == 0 {
		return funding.Eligible, nil
	}
	if population <= 0 {
		r := reason(ReasonPopulation, "reason.population_unknown")
		return funding.EligibilityUnknown, &r
	}
	if lo > 0 && population < lo {
		r := reason(ReasonPopulation, "reason.population_min", lo, population)
		return funding.Ineligible, &r
	}
	if hi > 0 && population > hi {
		r := reason(ReasonPopulation, "reason.population_max", hi, population)
		return funding.Ineligible, &r
	}
	return funding.Eligible, nil
}
