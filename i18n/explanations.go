package i18n

import "strconv"

// explanations are the words of the pure packages: why a call does or does
// not suit a city (package matching) and what a joint bid meets and misses
// (package matching/consortium). They keep both texts in their structured
// reasons, built with Both, so the pages, alerts and CLI show them as they
// are.
var explanations = map[string]Text{
	// Eligibility reasons.
	"reason.programme_excluded":     {"Het profiel sluit het programma %s uit.", "The profile excludes the programme %s."},
	"reason.closed":                 {"De oproep is gesloten.", "The call is closed."},
	"reason.tender":                 {"Dit is een aanbesteding (opdracht), geen subsidie voor steden.", "This is a tender (procurement), not a grant for cities."},
	"reason.applicant_type":         {"Lokale besturen kunnen niet indienen bij %s.", "Local authorities cannot apply to %s."},
	"reason.applicant_type_action":  {"Lokale besturen kunnen niet indienen bij %s (soort actie %q).", "Local authorities cannot apply to %s (type of action %q)."},
	"reason.applicant_cue":          {"De tekst vermeldt %q: nagaan of een stad mag indienen.", "The text says %q: check whether a city may apply."},
	"reason.other_applicants":       {"Enkel voor andere aanvragers (%q in de %s).", "Only for other applicants (%q in the %s)."},
	"place.title":                   {"titel", "title"},
	"place.eligibility_notes":       {"voorwaarden", "eligibility notes"},
	"place.type_of_action":          {"soort actie", "type of action"},
	"place.description":             {"beschrijving", "description"},
	"reason.outside_area":           {"%s ligt buiten het programmagebied (%s).", "%s is outside the programme area (%s)."},
	"reason.province_unknown":       {"Provincie van de stad onbekend: programmagebied niet na te gaan.", "The city's province is unknown: the programme area cannot be checked."},
	"reason.arrondissement_unknown": {"Arrondissement onbekend: Veurne en Ieper vallen buiten Interreg Vlaanderen-Nederland.", "Arrondissement unknown: Veurne and Ieper are outside Interreg Vlaanderen-Nederland."},
	"reason.deadline_too_close":     {"De volgende deadline (%s) valt binnen %d dagen; de voorbereiding vraagt %d dagen.", "The next deadline (%s) is %d days away; preparation needs %d days."},
	"reason.deadline_passed":        {"Alle deadlines zijn voorbij.", "Every deadline has passed."},
	"reason.no_deadline":            {"Geen deadline bekend: voorbereidingstijd niet na te gaan.", "No deadline known: preparation time cannot be checked."},
	"reason.population_unknown":     {"Inwonertal onbekend: de oproep stelt een grens aan de grootte van de stad.", "Population unknown: the call limits the size of the city."},
	"reason.population_min":         {"De oproep vraagt minstens %d inwoners; de stad heeft er %d.", "The call requires at least %d inhabitants; the city has %d."},
	"reason.population_max":         {"De oproep staat open voor hoogstens %d inwoners; de stad heeft er %d.", "The call is open to at most %d inhabitants; the city has %d."},

	// Explanations of a score.
	"band.strong":          {"sterke match", "strong fit"},
	"band.partial":         {"gedeeltelijke match", "partial fit"},
	"band.weak":            {"zwakke match", "weak fit"},
	"band.none":            {"geen match", "no fit"},
	"explain.no_keywords":  {"Het profiel heeft geen trefwoorden: gescoord op de gewichten van de domeinen.", "The profile has no keywords: scored on its domain weights."},
	"explain.theme":        {"%s in het profiel ~ %s in de oproep", "%s in the profile ~ %s in the call"},
	"explain.project":      {"Lijkt op je project %q (%d, %s).", "Resembles your %[2]d project %[1]q (%[3]s)."},
	"explain.head":         {"Score %d, %s. %s", "Score %d, %s. %s"},
	"explain.missing":      {"Ontbreekt: %s", "Missing: %s"},
	"explain.condition":    {"Voorwaarde: %s", "Eligibility: %s"},
	"summary.covers":       {"dekt %s", "covers %s"},
	"summary.on_weights":   {"op domeingewichten (geen trefwoorden)", "on domain weights (no keywords)"},
	"summary.no_theme":     {"geen thema van het profiel", "no theme of the profile"},
	"summary.resembles":    {"lijkt op %q (%d)", "resembles %q (%d)"},
	"summary.check":        {"voorwaarden nakijken", "check eligibility"},
	"list.and":             {" en ", " and "},
	"missing.no_project":   {"Geen eerder project van de stad lijkt op deze oproep.", "No past project of the city resembles this call."},
	"missing.no_programme": {"Nog geen eerdere deelname aan %s.", "No earlier participation in %s."},
	"missing.horizon":      {"Een consortium met partners uit minstens drie landen is nodig.", "A consortium with partners from at least three countries is needed."},
	"missing.nwe":          {"Minstens drie partners uit drie programmalanden zijn nodig.", "At least three partners from three programme countries are needed."},
	"missing.vlnl":         {"Partners aan beide kanten van de grens zijn nodig.", "Partners on both sides of the border are needed."},
	"missing.co_funding":   {"Het aandeel cofinanciering overstijgt wellicht de jaarlijkse capaciteit.", "The co-funding share probably exceeds the yearly capacity."},
	"missing.budget":       {"Budget per project onbekend.", "Budget per project unknown."},
	"missing.themes":       {"De oproep vraagt ook naar thema's die het profiel niet noemt: %s.", "The call also asks for themes the profile does not name: %s."},
	"eligibility_unknown":  {"onbekend of de stad in aanmerking komt", "eligibility unknown"},

	// What a joint bid meets and misses, and why a city is left out.
	"rule.single_required":     {"één aanvrager, zoals de actie vereist", "a single applicant, as the action requires"},
	"rule.single_allowed":      {"één aanvrager, wat het programma toelaat", "a single applicant, which the programme allows"},
	"rule.min_cities":          {"%s Vlaamse steden, minstens twee voor een gezamenlijk voorstel", "%s Flemish cities, at least two for a joint bid"},
	"rule.max_cities":          {"niet meer dan %s Vlaamse steden", "no more than %s Flemish cities"},
	"rule.one_lead":            {"één trekker: %s", "one lead: %s"},
	"rule.capacity":            {"elke stad heeft een vrije plaats voor een voorstel en genoeg cofinanciering", "every city has a free bid slot and enough co-funding"},
	"rule.border_area":         {"alle Vlaamse partners liggen in het programmagebied Interreg Vlaanderen-Nederland", "every Flemish member lies in the Interreg Vlaanderen-Nederland programme area"},
	"rule.unconfirmed":         {"in aanmerking komen nog niet bevestigd voor %s", "eligibility not yet confirmed for %s"},
	"rule.all_eligible":        {"alle steden komen in aanmerking", "every city is eligible"},
	"rule.foreign_vlnl":        {"heeft nog een Nederlandse partner aan de andere kant van de grens nodig", "needs a Dutch partner across the border"},
	"rule.foreign_nwe":         {"heeft nog %s partners uit %s andere landen van Noordwest-Europa nodig", "needs %s partners from %s other North-West Europe countries"},
	"rule.foreign_one":         {"heeft nog een buitenlandse partner uit een ander land nodig", "needs a foreign partner from another country"},
	"rule.foreign_many":        {"heeft nog %s buitenlandse partners uit %s andere landen nodig", "needs %s foreign partners from %s other countries"},
	"rule.needs_min_cities":    {"heeft minstens %s Vlaamse steden nodig", "needs at least %s Flemish cities"},
	"rule.too_many_cities":     {"mag niet meer dan %s Vlaamse steden tellen", "may have no more than %s Flemish cities"},
	"exclude.ineligible":       {"komt niet in aanmerking voor deze oproep", "is not eligible for this call"},
	"exclude.no_slot":          {"heeft geen vrije plaats voor nog een voorstel", "has no free slot for another bid"},
	"exclude.co_funding":       {"heeft niet genoeg cofinanciering voor dit voorstel", "lacks the co-funding this bid needs"},
	"exclude.outside_area":     {"ligt buiten het programmagebied Interreg Vlaanderen-Nederland", "lies outside the Interreg Vlaanderen-Nederland programme area"},
	"exclude.not_in_shortlist": {"hoort niet bij de sterkste kandidaten die exact doorzocht worden", "is not among the strongest candidates searched exactly"},
	"exclude.duplicate":        {"staat meer dan eens in de kandidatenlijst", "appears more than once among the candidates"},
}

var numberWords = [...]Text{
	{"nul", "zero"}, {"een", "one"}, {"twee", "two"}, {"drie", "three"}, {"vier", "four"},
	{"vijf", "five"}, {"zes", "six"}, {"zeven", "seven"}, {"acht", "eight"}, {"negen", "nine"}, {"tien", "ten"},
}

// Count writes a small number in words ("twee", "two") and a larger one in
// figures, as a sentence counts cities and partners.
func Count(n int) Text {
	if n >= 0 && n < len(numberWords) {
		return numberWords[n]
	}
	s := strconv.Itoa(n)
	return Text{s, s}
}
