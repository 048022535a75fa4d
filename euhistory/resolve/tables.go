package resolve

import (
	"sort"
	"strings"
)

// The resolver's vocabulary. All entries are normalised (see normalise):
// lower case, no accents, words separated by single spaces.

// markers are words that, next to a municipality's name, say which of its
// bodies is meant. Multi-word markers are matched before single words.
var markers = map[string]Body{
	"stad": BodyMunicipality, "gemeente": BodyMunicipality, "city": BodyMunicipality,
	"municipality": BodyMunicipality, "ville": BodyMunicipality, "commune": BodyMunicipality,
	"stadsbestuur": BodyMunicipality, "gemeentebestuur": BodyMunicipality, "town": BodyMunicipality,
	"lokaal bestuur": BodyMunicipality, "city council": BodyMunicipality, "council": BodyMunicipality,
	"administration communale": BodyMunicipality, "stadsadministratie": BodyMunicipality,
	"ocmw": BodyOCMW, "cpas": BodyOCMW,
	"openbaar centrum voor maatschappelijk welzijn": BodyOCMW,
	"centre public d action sociale":                BodyOCMW,
	"autonoom gemeentebedrijf":                      BodyAutonomous, "autonoom stadsbedrijf": BodyAutonomous,
	"agb":         BodyAutonomous,
	"politiezone": BodyPoliceZone, "pz": BodyPoliceZone, "politie": BodyPoliceZone, "police": BodyPoliceZone, "police zone": BodyPoliceZone,
	"zone de police": BodyPoliceZone, "lokale politie": BodyPoliceZone,
}

// multiWordMarkers are the markers of more than one word, longest first,
// matched before single words.
var multiWordMarkers = func() []string {
	var ms []string
	for m := range markers {
		if strings.Contains(m, " ") {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool {
		if len(ms[i]) != len(ms[j]) {
			return len(ms[i]) > len(ms[j])
		}
		return ms[i] < ms[j]
	})
	return ms
}()

// fillers are words that may surround a name and marker without changing
// what is meant ("City of Ghent", "Ville de Bruges").
var fillers = map[string]bool{
	"of": true, "the": true, "de": true, "van": true, "d": true, "du": true, "la": true, "le": true,
	"voor": true, "en": true, "and": true, "municipal": true, "local": true, "bestuur": true,
}

// departments are words naming a service of a city ("Stad Gent Dienst
// Milieu"): allowed after a municipality marker, with lower confidence.
var departments = map[string]bool{
	"dienst": true, "departement": true, "department": true, "afdeling": true, "service": true,
	"services": true, "cabinet": true, "kabinet": true, "team": true, "district": true,
}

// negatives are words that say the organisation is not a city body
// although it carries a city's name: universities, schools, hospitals,
// ports, provinces, companies and associations. A word matches when it
// equals an entry or starts with one that ends in '*'.
var negatives = []string{
	"universiteit*", "university", "universite*", "universit*", "univ", "ku", "vub", "hogeschool*", "college",
	"school*", "academie", "academy", "instituut", "institute", "institut", "research", "onderzoek*",
	"ziekenhuis*", "hospital*", "uz", "az", "kliniek", "clinic*", "zorg*",
	"port", "haven*", "airport", "luchthaven",
	"provincie", "province", "provincia", "provinciaal", "provinciale", "provincial",
	"kamer", "chamber", "voka", "unizo",
	"nv", "bv", "bvba", "cvba", "cv", "sa", "srl", "sprl", "scrl", "ltd", "limited", "gmbh", "inc",
	"llc", "plc", "vof", "comm", "sas", "spa", "oy", "kft", "sro",
	"vzw", "asbl", "ivzw", "aisbl", "stichting", "foundation", "fondation", "fonds", "fund",
	"invest*", "consult*", "solutions", "technolog*", "tech", "systems", "group", "groep",
	"holding", "partners", "startup*", "labs", "lab", "hub",
	"club", "museum", "theater", "theatre", "orchestra", "orkest", "festival", "zoo",
	"bisdom", "diocese", "kerk", "parochie",
}

// ambiguousInBelgium are names shared with a place elsewhere in Belgium
// or with a common Dutch word: a match on them is certain only when a
// postcode, NUTS or LAU code confirms it (Saint-Nicolas in Liège,
// Louvain-la-Neuve, boom and mol as words).
var ambiguousInBelgium = map[string]bool{
	"saint nicolas": true, "louvain": true, "boom": true, "mol": true, "geel": true, "hal": true,
	// former municipalities (2025) whose names are also villages of others:
	// Beveren in Roeselare and Alveringem, Moerbeke in Geraardsbergen
	"beveren": true, "moerbeke": true,
}

// ambiguousAbroad are names shared with places in other countries (Halle in
// Germany, Hasselt and Aalst in the Netherlands, Bruges in France, Lier in
// Norway, and the former municipalities Herne and Melle in Germany and Ham
// in France): a match on them needs the country to be Belgium or a code to
// confirm it.
var ambiguousAbroad = map[string]bool{
	"halle": true, "hasselt": true, "aalst": true, "bruges": true, "lier": true, "menin": true, "genk": true,
	"herne": true, "melle": true, "ham": true,
}

// organisation is a public body known by its own name rather than a
// municipality's: intercommunales, city IT agencies, the VGC.
type organisation struct {
	names []string // normalised, any of which identifies it
	body  Body
	slug  string   // the city it belongs to, if exactly one
	serve []string // the municipalities it works for, when useful for review
}

// organisations are the bodies recognised by name. Intercommunales serve
// several municipalities, so they have no single slug: they are resolved
// with certainty as intercommunales, and their facts are not booked on any
// one city.
var organisations = []organisation{
	{names: []string{"vlaamse gemeenschapscommissie", "vgc", "commission communautaire flamande", "flemish community commission"}, body: BodyVGC, slug: "vgc"},
	{names: []string{"digipolis antwerpen", "digipolis antwerp"}, body: BodyCityAgency, slug: "antwerpen"},
	{names: []string{"digipolis gent", "digipolis ghent"}, body: BodyCityAgency, slug: "gent"},
	{names: []string{"digipolis"}, body: BodyCityAgency}, // Antwerpen or Gent: decided by location
	{names: []string{"district09"}, body: BodyCityAgency, slug: "gent"},
	{names: []string{"zorgbedrijf antwerpen"}, body: BodyOCMW, slug: "antwerpen"},
	{names: []string{"ag vespa"}, body: BodyAutonomous, slug: "antwerpen"},
	{names: []string{"sogent", "stadsontwikkelingsbedrijf gent"}, body: BodyAutonomous, slug: "gent"},
	{names: []string{"leiedal", "intercommunale leiedal"}, body: BodyIntercommunale, serve: []string{"kortrijk", "harelbeke", "menen", "waregem"}},
	{names: []string{"igemo"}, body: BodyIntercommunale, serve: []string{"mechelen", "lier"}},
	{names: []string{"fluvius", "fluvius system operator", "eandis", "infrax"}, body: BodyIntercommunale},
	{names: []string{"haviland"}, body: BodyIntercommunale, serve: []string{"halle", "vilvoorde", "zaventem", "dilbeek"}},
	{names: []string{"interleuven"}, body: BodyIntercommunale, serve: []string{"leuven", "tienen", "diest"}},
	{names: []string{"iok"}, body: BodyIntercommunale, serve: []string{"turnhout", "geel", "mol", "herentals"}},
	{names: []string{"igean"}, body: BodyIntercommunale, serve: []string{"brasschaat", "schoten"}},
	{names: []string{"wvi", "west vlaamse intercommunale"}, body: BodyIntercommunale, serve: []string{"brugge", "oostende", "roeselare", "ieper", "knokke-heist"}},
	{names: []string{"veneco"}, body: BodyIntercommunale, serve: []string{"eeklo"}},
	{names: []string{"interwaas"}, body: BodyIntercommunale, serve: []string{"sint-niklaas"}},
	{names: []string{"solva"}, body: BodyIntercommunale, serve: []string{"aalst", "ninove", "oudenaarde"}},
	{names: []string{"farys"}, body: BodyIntercommunale},
}

// intercommunaleMarkers name an inter-municipal association whose own name
// the resolver does not know.
var intercommunaleMarkers = []string{"intercommunale", "intercommunal", "dienstverlenende vereniging", "opdrachthoudende vereniging", "intergemeentelijk*"}

// organisationIndex finds organisations by any of their names.
var organisationIndex = func() (idx struct {
	byName   map[string]int
	maxWords int
}) {
	idx.byName = map[string]int{}
	for i, o := range organisations {
		for _, n := range o.names {
			idx.byName[n] = i
			idx.maxWords = max(idx.maxWords, len(strings.Fields(n)))
		}
	}
	return idx
}()

// negativeIndex splits negatives into whole words and prefixes.
var negativeIndex = func() (idx struct {
	exact    map[string]bool
	prefixes []string
}) {
	idx.exact = map[string]bool{}
	for _, n := range negatives {
		if prefix, ok := strings.CutSuffix(n, "*"); ok {
			idx.prefixes = append(idx.prefixes, prefix)
		} else {
			idx.exact[n] = true
		}
	}
	return idx
}()
