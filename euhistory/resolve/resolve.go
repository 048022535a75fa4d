// Package resolve recognises Flemish municipalities and their public bodies
// (the municipality itself, its OCMW, autonomous municipal companies, police
// zones, city IT agencies, intercommunales, the VGC) among the participants,
// beneficiaries and partners of EU-funded projects. It works from normalised
// names and their variants ("STAD GENT", "City of Ghent", "Ville de Gand"),
// confirmed or contradicted by postcode, NUTS-3 and LAU (NIS) codes, and
// says how sure it is: certain matches are accepted automatically, uncertain
// ones go to a review list, and an admin's earlier decisions override it.
//
// Decisions built into the tables:
//   - Universities, university colleges, hospitals, provinces, ports and
//     companies named after a city ("Universiteit Gent", "Gent Invest NV")
//     are not the city.
//   - Port of Antwerp-Bruges (and Havenbedrijf Gent, North Sea Port) is a
//     port company owned by the cities, not a city body: its EU grants are the
//     port's, not Antwerpen's or Brugge's uptake. An admin can still confirm
//     it through Decisions.
//   - Intercommunales (Leiedal, IGEMO, Haviland, Fluvius...) work for several
//     municipalities: they resolve with certainty as BodyIntercommunale but
//     with no Slug, so no single city is credited with their projects.
//   - Names that are also places or words elsewhere (Saint-Nicolas in Liège,
//     Louvain-la-Neuve, Halle in Germany, Hasselt in the Netherlands, boom,
//     mol) are certain only when a postcode, NUTS or LAU code confirms them.
//   - The VGC resolves to the slug "vgc", which the reference list must hold.
package resolve

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Body is the kind of public body a participant is.
type Body string

// The bodies the resolver knows.
const (
	BodyMunicipality   Body = "municipality"
	BodyOCMW           Body = "ocmw"
	BodyAutonomous     Body = "autonomous company" // autonoom gemeentebedrijf (AG, AGB)
	BodyPoliceZone     Body = "police zone"
	BodyCityAgency     Body = "city agency" // e.g. Digipolis, District09
	BodyIntercommunale Body = "intercommunale"
	BodyVGC            Body = "vgc"
)

// Decision is what happens to a Resolution.
type Decision string

// The decisions.
const (
	Certain   Decision = "certain"   // accepted automatically
	Uncertain Decision = "uncertain" // goes to the review list
	None      Decision = "none"      // not a Flemish municipality or body
)

// Thresholds on Resolution.Confidence.
const (
	CertainAt   = 0.85
	UncertainAt = 0.5
)

// Party is a participant as a source describes it. Only Name is required.
type Party struct {
	Name         string
	ShortName    string
	Country      string // ISO code or country name; empty when unknown
	PostCode     string
	City         string
	NUTS         string   // NUTS code at any level, e.g. "BE234"
	LAU          []string // LAU ids, e.g. "44021" or "BE_44021"
	ActivityType string   // CORDIS activity type; "PUB" is a public body
}

// Resolution is the resolver's answer for one Party.
type Resolution struct {
	Key          string   // the name key admin decisions are stored under
	Slug         string   // the municipality, empty when none or not a single one
	Body         Body     // empty when Decision is None
	Organisation string   // the body's own name for known organisations, e.g. "leiedal"
	Serves       []string // the municipalities an intercommunale works for, when known
	Confidence   float64  // 0..1
	Decision     Decision
	Evidence     []string // why, in short phrases, for the review list
}

// Verdict is an admin's decision on a name key: confirmed as Slug (and
// Body), or rejected.
type Verdict struct {
	Slug     string
	Body     Body
	Rejected bool
}

// Decisions maps name keys (see Key) to admins' verdicts; the integrator
// stores them so that they survive re-imports.
type Decisions map[string]Verdict

// Resolver recognises municipalities. It is safe for concurrent use.
type Resolver struct {
	munis     []Municipality
	bySlug    map[string]int
	names     map[string][]int // normalised name -> municipalities
	maxWords  int
	postcodes map[string][]int
	decisions Decisions
}

// New builds a Resolver over the reference list ms, with the admins'
// decisions (which may be nil).
func New(ms []Municipality, decisions Decisions) (*Resolver, error) {
	r := &Resolver{
		munis: slices.Clone(ms), bySlug: map[string]int{}, names: map[string][]int{},
		postcodes: map[string][]int{}, decisions: maps.Clone(decisions),
	}
	for i, m := range ms {
		if m.Slug == "" || m.Name == "" {
			return nil, fmt.Errorf("municipality %d: slug and name are required", i)
		}
		if _, dup := r.bySlug[m.Slug]; dup {
			return nil, fmt.Errorf("municipality %s: listed twice", m.Slug)
		}
		r.bySlug[m.Slug] = i
		if m.Slug == "vgc" {
			continue // recognised through the organisations table
		}
		// History from before 2025 names the former municipalities: their
		// names and codes lead to the merged one. A list that still holds a
		// former code (a database seeded before 2025) is matched by it too.
		names := append([]string{m.Name, m.Slug}, m.OtherNames...)
		for _, mg := range Mergers2025 {
			if m.NIS != "" && successor(m.NIS) == mg.NewNIS {
				names = append(names, mg.OldNames...)
				if mg.OldNIS != m.NIS {
					r.munis[i].FormerNIS = append(r.munis[i].FormerNIS, mg.OldNIS)
				}
				if n := nuts3OfArrondissement[mg.OldNIS[:2]]; n != "" && n != m.NUTS3 && !slices.Contains(r.munis[i].FormerNUTS3, n) {
					r.munis[i].FormerNUTS3 = append(r.munis[i].FormerNUTS3, n)
				}
			}
		}
		for _, n := range names {
			key := normalise(n)
			if key == "" || slices.Contains(r.names[key], i) {
				continue
			}
			r.names[key] = append(r.names[key], i)
			r.maxWords = max(r.maxWords, len(strings.Fields(key)))
		}
		for _, pc := range m.Postcodes {
			r.postcodes[pc] = append(r.postcodes[pc], i)
		}
	}
	return r, nil
}

// Key is the name key under which decisions about a participant's name are
// kept: the normalised name.
func Key(name string) string { return normalise(name) }

// Resolve says whether p is a Flemish municipality or one of its bodies.
// An admin's verdict on p's name (or short name) overrides the resolver.
func (r *Resolver) Resolve(p Party) Resolution {
	key, short := Key(p.Name), Key(p.ShortName)
	for _, k := range []string{key, short} {
		if v, ok := r.decisions[k]; ok && k != "" {
			return r.verdict(key, v)
		}
	}
	best := r.resolveName(p, key)
	if short != "" && short != key && best.Decision != Certain {
		if alt := r.resolveName(p, short); alt.Confidence > best.Confidence {
			alt.Key = key
			alt.Evidence = append([]string{"short name " + p.ShortName}, alt.Evidence...)
			best = alt
		}
	}
	return best
}

func (r *Resolver) verdict(key string, v Verdict) Resolution {
	if v.Rejected {
		return Resolution{Key: key, Decision: None, Evidence: []string{"rejected by an admin"}}
	}
	body := v.Body
	if body == "" {
		body = BodyMunicipality
	}
	return Resolution{Key: key, Slug: v.Slug, Body: body, Confidence: 1, Decision: Certain,
		Evidence: []string{"confirmed by an admin as " + v.Slug}}
}

func (r *Resolver) resolveName(p Party, key string) Resolution {
	res := Resolution{Key: key, Decision: None}
	if key == "" {
		return res
	}
	if c := normaliseCountry(p.Country); c != "" && c != "BE" {
		res.Evidence = []string{"country " + c}
		return res
	}
	words := strings.Fields(key)
	if org, ok := findOrganisation(words); ok {
		return r.organisation(p, res, org)
	}
	if w, ok := firstNegative(words); ok {
		res.Evidence = []string{fmt.Sprintf("%q names another kind of organisation", w)}
		return res
	}
	if w, ok := intercommunaleMarker(key); ok {
		res.Body = BodyIntercommunale
		res.Evidence = []string{fmt.Sprintf("%q names an intercommunale the resolver does not know", w)}
		res.Confidence = 0.55
		res.Decision = decide(res.Confidence)
		return res
	}
	mentions := r.mentions(words)
	if len(mentions) == 0 {
		return r.byLocationOnly(p, res, words)
	}
	best := res // keeps the key when no mention scores above 0
	for _, m := range mentions {
		cand := r.score(p, res, words, m)
		if cand.Confidence > best.Confidence {
			best = cand
		}
	}
	if distinct(mentions) > 1 && best.Confidence >= CertainAt {
		best.Confidence = min(best.Confidence, 0.6)
		best.Evidence = append(best.Evidence, "the name mentions several municipalities")
	}
	best.Decision = decide(best.Confidence)
	if best.Decision == None {
		best.Slug, best.Body = "", ""
	}
	return best
}

// mention is a municipality's name found in a participant's name: words
// [start, end) of the name.
type mention struct {
	muni       int
	start, end int
	name       string
}

func (r *Resolver) mentions(words []string) []mention {
	var ms []mention
	for i := 0; i < len(words); {
		found := false
		for n := min(r.maxWords, len(words)-i); n > 0; n-- {
			name := strings.Join(words[i:i+n], " ")
			if idx, ok := r.names[name]; ok {
				for _, m := range idx {
					ms = append(ms, mention{muni: m, start: i, end: i + n, name: name})
				}
				i += n
				found = true
				break
			}
		}
		if !found {
			i++
		}
	}
	return ms
}

func distinct(ms []mention) int {
	seen := map[int]bool{}
	for _, m := range ms {
		seen[m.muni] = true
	}
	return len(seen)
}

// score rates one mention: the words around the name decide the body and
// the base confidence, the participant's location raises or lowers it.
func (r *Resolver) score(p Party, res Resolution, words []string, m mention) Resolution {
	muni := r.munis[m.muni]
	res.Slug = muni.Slug
	rest := append(slices.Clone(words[:m.start]), words[m.end:]...)
	body, markerWord, unknown, dept := classify(rest, m.start == 0)

	var conf float64
	switch {
	case body == "" && len(unknown) == 0 && len(dept) == 0:
		conf = 0.6
		res.Evidence = append(res.Evidence, fmt.Sprintf("the name is only %q", m.name))
	case body == "":
		conf = 0.35
		res.Evidence = append(res.Evidence, fmt.Sprintf("%q with other words %q and no body marker", m.name, strings.Join(append(unknown, dept...), " ")))
	case len(unknown) == 0 && len(dept) == 0:
		conf = 0.9
		res.Evidence = append(res.Evidence, fmt.Sprintf("%s marker %q with %q", body, markerWord, m.name))
	case body == BodyAutonomous:
		conf = 0.88 // autonomous companies carry a descriptive name
		res.Evidence = append(res.Evidence, fmt.Sprintf("%s marker %q with %q", body, markerWord, m.name))
	case len(unknown) == 0:
		conf = 0.86
		res.Evidence = append(res.Evidence, fmt.Sprintf("%s marker %q with %q and department %q", body, markerWord, m.name, strings.Join(dept, " ")))
	default:
		conf = 0.55
		res.Evidence = append(res.Evidence, fmt.Sprintf("%s marker %q with %q and other words %q", body, markerWord, m.name, strings.Join(unknown, " ")))
	}
	if body == "" {
		body = BodyMunicipality
		if strings.EqualFold(p.ActivityType, "PUB") {
			conf += 0.15
			res.Evidence = append(res.Evidence, "activity type PUB (public body)")
		}
	}
	res.Body = body

	delta, confirmed, ev := r.location(p, m.muni)
	res.Evidence = append(res.Evidence, ev...)
	conf += delta
	if !confirmed && (ambiguousInBelgium[m.name] || ambiguousAbroad[m.name] && normaliseCountry(p.Country) == "") {
		conf = min(conf, 0.6)
		res.Evidence = append(res.Evidence, fmt.Sprintf("%q is also a place or word outside Flanders and no code confirms it", m.name))
	}
	if normaliseCountry(p.Country) == "" {
		conf -= 0.05
		res.Evidence = append(res.Evidence, "country unknown")
	}
	res.Confidence = clamp(conf)
	return res
}

// location compares the participant's postcode, NUTS and LAU codes and city
// with municipality i: it returns the change in confidence, whether a code
// confirmed the match, and the evidence.
func (r *Resolver) location(p Party, i int) (delta float64, confirmed bool, evidence []string) {
	muni := r.munis[i]
	// A municipality whose postcodes the reference list lacks is neither
	// confirmed nor contradicted by one.
	if pc := postcode(p.PostCode); pc != "" && len(muni.Postcodes) > 0 {
		if slices.Contains(muni.Postcodes, pc) {
			delta += 0.08
			confirmed = true
			evidence = append(evidence, fmt.Sprintf("postcode %s is in %s", pc, muni.Name))
		} else {
			delta -= 0.35
			evidence = append(evidence, fmt.Sprintf("postcode %s is not in %s", pc, muni.Name))
		}
	}
	if nuts := strings.ToUpper(strings.TrimSpace(p.NUTS)); len(nuts) >= 3 && strings.HasPrefix(nuts, "BE") && muni.NUTS3 != "" {
		switch {
		case nuts == muni.NUTS3:
			delta += 0.04
			confirmed = true
			evidence = append(evidence, "NUTS "+nuts+" matches")
		case slices.Contains(muni.FormerNUTS3, nuts):
			delta += 0.04
			confirmed = true
			evidence = append(evidence, "NUTS "+nuts+" matches a municipality merged into "+muni.Name+" in 2025")
		case len(nuts) < 5 && strings.HasPrefix(muni.NUTS3, nuts):
			// a coarser level that agrees says little
		default:
			delta -= 0.25
			evidence = append(evidence, fmt.Sprintf("NUTS %s is not %s's %s", nuts, muni.Name, muni.NUTS3))
		}
	}
	if len(p.LAU) > 0 && muni.NIS != "" {
		if l, ok := muni.lau(p.LAU); ok {
			delta += 0.1
			confirmed = true
			if l == muni.NIS {
				evidence = append(evidence, "LAU "+muni.NIS+" matches")
			} else {
				evidence = append(evidence, fmt.Sprintf("LAU %s is a municipality merged into %s in 2025", l, muni.Name))
			}
		} else {
			delta -= 0.3
			evidence = append(evidence, fmt.Sprintf("LAU %s does not include %s", strings.Join(p.LAU, ","), muni.NIS))
		}
	}
	if city := normalise(p.City); city != "" {
		if idx, ok := r.names[city]; ok {
			if slices.Contains(idx, i) {
				delta += 0.03
				evidence = append(evidence, "city "+p.City+" matches")
			} else {
				delta -= 0.2
				evidence = append(evidence, "city "+p.City+" is another municipality")
			}
		}
	}
	return delta, confirmed, evidence
}

// byLocationOnly handles names without a municipality's name: a bare body
// marker ("OCMW", "Stadsbestuur") located by postcode or LAU is sent to
// review; anything else is none.
func (r *Resolver) byLocationOnly(p Party, res Resolution, words []string) Resolution {
	body, _, unknown, _ := classify(words, true)
	if body == "" || len(unknown) > 0 {
		return res
	}
	cands := r.locate(p)
	if len(cands) != 1 {
		return res
	}
	muni := r.munis[cands[0]]
	res.Slug, res.Body, res.Confidence = muni.Slug, body, 0.6
	res.Evidence = []string{fmt.Sprintf("only a %s marker in the name; located in %s by code", body, muni.Name)}
	res.Decision = decide(res.Confidence)
	return res
}

// locate returns the municipalities the participant's codes point to.
func (r *Resolver) locate(p Party) []int {
	if pc := postcode(p.PostCode); pc != "" && len(r.postcodes[pc]) > 0 {
		return r.postcodes[pc]
	}
	for i, m := range r.munis {
		if _, ok := m.lau(p.LAU); ok && m.NIS != "" {
			return []int{i}
		}
	}
	return nil
}

// lau returns the first of a participant's LAU codes that is this
// municipality's NIS code or the code of a municipality merged into it.
func (m Municipality) lau(codes []string) (string, bool) {
	for _, l := range codes {
		if c := lauCode(l); c != "" && (c == m.NIS || slices.Contains(m.FormerNIS, c)) {
			return c, true
		}
	}
	return "", false
}

// organisation resolves a known organisation; one without a single slug
// (Digipolis) is placed by location.
func (r *Resolver) organisation(p Party, res Resolution, org organisation) Resolution {
	res.Body, res.Slug, res.Serves = org.body, org.slug, org.serve
	res.Organisation = org.names[0]
	res.Evidence = []string{fmt.Sprintf("known %s %q", org.body, org.names[0])}
	res.Confidence = 0.95
	if org.body == BodyCityAgency && org.slug == "" {
		res.Confidence = 0.6
		if cands := r.locate(p); len(cands) == 1 {
			res.Slug = r.munis[cands[0]].Slug
			res.Confidence = 0.9
			res.Evidence = append(res.Evidence, "located in "+r.munis[cands[0]].Name+" by code")
		} else {
			res.Evidence = append(res.Evidence, "which city's is not known")
		}
	}
	if org.body == BodyVGC {
		res.Confidence = 0.97
	}
	res.Decision = decide(res.Confidence)
	return res
}

// findOrganisation returns the known organisation whose longest name
// appears as whole words in the name.
func findOrganisation(words []string) (organisation, bool) {
	best, bestLen := -1, 0
	for i := range words {
		for n := min(organisationIndex.maxWords, len(words)-i); n > bestLen; n-- {
			if o, ok := organisationIndex.byName[strings.Join(words[i:i+n], " ")]; ok {
				best, bestLen = o, n
				break
			}
		}
	}
	if best < 0 {
		return organisation{}, false
	}
	return organisations[best], true
}

// classify sorts the words around a municipality's name into a body marker,
// fillers, department words and unknown words. "AG" is a marker only as the
// first word: elsewhere it is a German company suffix.
func classify(words []string, nameFirst bool) (body Body, marker string, unknown, dept []string) {
	text := " " + strings.Join(words, " ") + " "
	for _, m := range multiWordMarkers {
		if strings.Contains(text, " "+m+" ") {
			body, marker = stronger(body, markers[m]), m
			text = strings.Replace(text, " "+m+" ", " ", 1)
		}
	}
	rest := strings.Fields(text)
	for i, w := range rest {
		switch {
		case w == "ag" && i == 0 && !nameFirst:
			body, marker = stronger(body, BodyAutonomous), w
		case markers[w] != "":
			if stronger(body, markers[w]) != body || body == "" {
				marker = w
			}
			body = stronger(body, markers[w])
		case fillers[w]:
		case departments[w]:
			dept = append(dept, w)
		default:
			unknown = append(unknown, w)
		}
	}
	return body, marker, unknown, dept
}

// stronger returns the more specific of two bodies: "OCMW Stad Gent" is the
// OCMW.
func stronger(a, b Body) Body {
	if rank(b) > rank(a) {
		return b
	}
	return a
}

func rank(b Body) int {
	switch b {
	case BodyMunicipality:
		return 1
	case BodyPoliceZone:
		return 2
	case BodyAutonomous:
		return 3
	case BodyOCMW:
		return 4
	}
	return 0
}

func firstNegative(words []string) (string, bool) {
	for _, w := range words {
		if negativeIndex.exact[w] {
			return w, true
		}
		for _, prefix := range negativeIndex.prefixes {
			if strings.HasPrefix(w, prefix) {
				return w, true
			}
		}
	}
	return "", false
}

func intercommunaleMarker(key string) (string, bool) {
	text := " " + key + " "
	for _, m := range intercommunaleMarkers {
		if prefix, ok := strings.CutSuffix(m, "*"); ok {
			for _, w := range strings.Fields(key) {
				if strings.HasPrefix(w, prefix) {
					return w, true
				}
			}
		} else if strings.Contains(text, " "+m+" ") {
			return m, true
		}
	}
	return "", false
}

func decide(conf float64) Decision {
	switch {
	case conf >= CertainAt:
		return Certain
	case conf >= UncertainAt:
		return Uncertain
	}
	return None
}

func clamp(c float64) float64 { return max(0, min(c, 0.99)) }

// normalise lower-cases s, strips accents and turns every run of
// non-alphanumeric characters into one space.
func normalise(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, c := range strings.ToLower(s) {
		if c >= 0x80 || c == '\'' {
			if f, ok := folds[c]; ok {
				c = f
			}
		}
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			b.WriteRune(c)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

var folds = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ä': 'a', 'ã': 'a', 'å': 'a', 'ç': 'c', 'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ñ': 'n', 'ò': 'o', 'ó': 'o', 'ô': 'o', 'ö': 'o', 'õ': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ý': 'y', 'ÿ': 'y', '’': ' ', '\'': ' ',
}

func normaliseCountry(c string) string {
	switch strings.ToUpper(strings.TrimSpace(c)) {
	case "":
		return ""
	case "BE", "BEL", "BELGIUM", "BELGIË", "BELGIE", "BELGIQUE", "BELGIEN":
		return "BE"
	}
	return strings.ToUpper(strings.TrimSpace(c))
}

// postcode returns a Belgian 4-digit postcode from a field like "B-9000" or
// "9000", or "" when the field holds something else.
func postcode(s string) string {
	s = strings.TrimSpace(strings.ToUpper(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "BE"), "B")
	s = strings.TrimLeft(s, "- ")
	if len(s) != 4 {
		return ""
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return s
}

// lauCode strips a country prefix from a LAU id ("BE_44021" -> "44021").
func lauCode(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "_-:/"); i >= 0 {
		s = s[i+1:]
	}
	return s
}
