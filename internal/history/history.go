// Package history imports what Flemish cities applied for and won in EU
// programmes from the published dumps (CORDIS, Kohesio, keep.eu) into the
// database: it builds the entity resolver from the stored cities and the
// admins' decisions, streams a file through the parsers of
// euhistory, stores past projects, collaborations and uptake in one
// transaction, and puts uncertain participants on the review list. It also
// applies an admin's verdict on a participant to the stored facts at once,
// and downloads the dumps as scheduled crawl sources.
package history

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/euhistory"
	"github.com/fundmatch/fundmatch/euhistory/cordis"
	"github.com/fundmatch/fundmatch/euhistory/keepeu"
	"github.com/fundmatch/fundmatch/euhistory/kohesio"
	"github.com/fundmatch/fundmatch/euhistory/resolve"
	"github.com/fundmatch/fundmatch/internal/store"
)

// Sources are the history sources that can be imported.
var Sources = []euhistory.Source{euhistory.SourceCORDIS, euhistory.SourceKohesio, euhistory.SourceKeep}

// Stats counts what an import read and stored.
type Stats struct {
	Rows           int // organisation rows read (CORDIS participations, Kohesio rows, keep.eu partners)
	Matched        int // rows certainly a Flemish city or one of its bodies
	Uncertain      int // rows put on the review list
	Projects       int // projects with a Flemish participant, stored
	Changed        int // of those, projects whose stored facts changed
	Collaborations int // collaboration pairs derived
	Uptake         int // won-project shares of cities derived
	Skipped        int // projects left out because the source gives no year (or no id)
	Reviews        int // review entries added or changed
}

// Importer imports history files into the store.
type Importer struct {
	Store *store.Store
	// Progress, when set, is called every ProgressEvery rows and once at
	// the end of reading.
	Progress      func(Stats)
	ProgressEvery int
	Logger        *slog.Logger
	Now           func() time.Time
}

// ParseSource returns the source named s (cordis, kohesio or keep).
func ParseSource(s string) (euhistory.Source, error) {
	for _, src := range Sources {
		if string(src) == s {
			return src, nil
		}
	}
	return "", fmt.Errorf("unknown history source %q; want cordis, kohesio or keep", s)
}

// Import reads the file at path (a CORDIS zip or directory, a Kohesio CSV,
// a keep.eu XLSX or JSON file) and stores what it yields in one
// transaction: a failed import leaves the stored data as it was. Importing
// the same file again changes nothing.
func (im *Importer) Import(ctx context.Context, source euhistory.Source, path string) (Stats, error) {
	var st Stats
	var read func(*importRun, string) error
	switch source {
	case euhistory.SourceCORDIS:
		read = (*importRun).cordis
	case euhistory.SourceKohesio:
		read = (*importRun).kohesio
	case euhistory.SourceKeep:
		read = (*importRun).keep
	default:
		_, err := ParseSource(string(source))
		return st, err
	}
	err := im.Store.InTx(ctx, func(tx *store.Tx) error {
		// The resolver is built under the lock, so that a verdict given
		// while the import waited is applied.
		if err := tx.LockHistory(ctx); err != nil {
			return err
		}
		r, cityIDs, err := im.resolver(ctx)
		if err != nil {
			return err
		}
		hashes, err := tx.ImportHashes(ctx, string(source))
		if err != nil {
			return err
		}
		run := &importRun{im: im, ctx: ctx, tx: tx, source: source, resolver: r, cityIDs: cityIDs, hashes: hashes,
			stats: &st, reviews: map[string]*store.EntityReview{}}
		if err := read(run, path); err != nil {
			return err
		}
		run.progress(true)
		return run.saveReviews()
	})
	if err != nil {
		return st, fmt.Errorf("import %s %s: %w", source, filepath.Base(path), err)
	}
	return st, nil
}

// resolver builds the entity resolver from the stored cities and decisions,
// and returns the cities' ids by slug.
func (im *Importer) resolver(ctx context.Context) (*resolve.Resolver, map[string]int64, error) {
	cities, err := im.Store.Cities(ctx)
	if err != nil {
		return nil, nil, err
	}
	ms := make([]resolve.Municipality, 0, len(cities))
	ids := make(map[string]int64, len(cities))
	for _, c := range cities {
		ids[c.Slug] = c.ID
		var other []string
		for _, n := range []string{c.NameEN, c.NameFR} {
			if n != "" && n != c.NameNL && !slices.Contains(other, n) {
				other = append(other, n)
			}
		}
		ms = append(ms, resolve.Municipality{Slug: c.Slug, NIS: c.NISCode, Name: c.NameNL, OtherNames: other,
			Postcodes: c.Postcodes, Province: c.Province, NUTS3: c.NUTS3})
	}
	stored, err := im.Store.EntityDecisions(ctx)
	if err != nil {
		return nil, nil, err
	}
	ds := make(resolve.Decisions, len(stored))
	for _, d := range stored {
		ds[d.Key] = resolve.Verdict{Slug: d.City, Body: resolve.Body(d.Body), Rejected: d.Verdict == store.VerdictRejected}
	}
	r, err := resolve.New(ms, ds)
	if err != nil {
		return nil, nil, fmt.Errorf("build the city resolver: %w", err)
	}
	return r, ids, nil
}

// importRun is the state of one import.
type importRun struct {
	im       *Importer
	ctx      context.Context
	tx       *store.Tx
	source   euhistory.Source
	resolver *resolve.Resolver
	cityIDs  map[string]int64
	stats    *Stats
	reviews  map[string]*store.EntityReview
	hashes   map[string]string // of the projects stored from the source, by source id
	lastStep int
}

// participant is one organisation of a project as a parser gives it.
type participant struct {
	party   resolve.Party
	partner euhistory.Partner // City not set yet
}

// unit is one project with all its participants, ready to resolve and
// store.
type unit struct {
	project      store.Project // Source, SourceID, Title, Summary, Year, Programme, Budget, EUContribution, URL
	participants []participant
}

// resolveRow resolves one organisation row, counts it and notes uncertain
// ones for the review list. It reports whether the row makes its project
// worth storing: a certain city or an uncertain candidate.
func (run *importRun) resolveRow(p resolve.Party) (resolve.Resolution, bool) {
	run.stats.Rows++
	run.progress(false)
	if euhistory.NaturalPerson(p.Name) {
		return resolve.Resolution{Decision: resolve.None}, false
	}
	res := run.resolver.Resolve(p)
	switch res.Decision {
	case resolve.Certain:
		if res.Slug == "" {
			return res, false
		}
		run.stats.Matched++
		return res, true
	case resolve.Uncertain:
		run.stats.Uncertain++
		rv := run.reviews[res.Key]
		if rv == nil {
			rv = &store.EntityReview{Key: res.Key, Name: p.Name, Country: euhistory.Country(p.Country), Postcode: p.PostCode,
				Source: string(run.source), Candidate: res.Slug, Body: string(res.Body), Confidence: res.Confidence,
				Evidence: pq.StringArray(res.Evidence)}
			run.reviews[res.Key] = rv
		}
		rv.TimesSeen++
		return res, true
	}
	return res, false
}

func (run *importRun) progress(final bool) {
	if run.im.Progress == nil {
		return
	}
	every := run.im.ProgressEvery
	if every <= 0 {
		every = 10000
	}
	if final || run.stats.Rows/every != run.lastStep {
		run.lastStep = run.stats.Rows / every
		run.im.Progress(*run.stats)
	}
}

// store resolves a project's participants, derives its facts and saves
// them.
func (run *importRun) store(u unit) error {
	if err := run.ctx.Err(); err != nil {
		return err
	}
	if u.project.SourceID == "" || u.project.Year < 1990 || u.project.Year > 2100 {
		run.stats.Skipped++
		return nil
	}
	parts := make([]store.HistoryParticipant, 0, len(u.participants))
	for _, pt := range u.participants {
		if euhistory.NaturalPerson(pt.partner.Name) || strings.TrimSpace(pt.partner.Name) == "" {
			continue
		}
		res := run.resolver.Resolve(pt.party)
		city := ""
		if res.Decision == resolve.Certain {
			city = res.Slug
		}
		hp := pt.partner
		parts = append(parts, store.HistoryParticipant{OrganisationID: hp.ID, Name: hp.Name, Country: country(hp.Country),
			Role: string(hp.Role), EUContribution: cents(hp.EUContribution), EntityKey: res.Key, City: city})
	}
	ip := Derive(u.project, parts)
	run.stats.Projects++
	run.stats.Collaborations += len(ip.Collaborations)
	run.stats.Uptake += len(ip.Uptake)
	if h, ok := run.hashes[u.project.SourceID]; ok && h == ip.Hash() {
		return nil
	}
	ch, err := run.tx.SaveImportedProject(run.ctx, ip, run.cityIDs)
	if err != nil {
		return err
	}
	if ch.Any() {
		run.stats.Changed++
	}
	return nil
}

func (run *importRun) saveReviews() error {
	rs := make([]store.EntityReview, 0, len(run.reviews))
	for _, rv := range run.reviews {
		rs = append(rs, *rv)
	}
	slices.SortFunc(rs, func(a, b store.EntityReview) int { return strings.Compare(a.Key, b.Key) })
	n, err := run.tx.SaveEntityReviews(run.ctx, rs, run.im.now())
	run.stats.Reviews = n
	return err
}

func (im *Importer) now() time.Time {
	if im.Now == nil {
		return time.Now()
	}
	return im.Now()
}

// cordis imports a CORDIS zip or directory: a first pass over
// organization.csv resolves every participant and selects the projects
// with a Flemish participant, then Collect hands those projects over whole.
func (run *importRun) cordis(path string) error {
	a, err := cordis.Open(path)
	if err != nil {
		return err
	}
	defer a.Close()
	selected := map[string]bool{}
	err = a.Participations(func(pt cordis.Participation) error {
		if _, keep := run.resolveRow(pt.Party()); keep {
			selected[pt.ProjectID] = true
		}
		return run.ctx.Err()
	})
	if err != nil {
		return err
	}
	return a.Collect(func(pt cordis.Participation) bool { return selected[pt.ProjectID] },
		func(p cordis.Project, pts []cordis.Participation) error {
			u := unit{project: store.Project{
				Source: string(euhistory.SourceCORDIS), SourceID: p.ID, Title: firstOf(p.Title, p.Acronym, p.ID),
				Summary: p.Objective, Year: year(p.Start, p.End), Programme: p.FrameworkProgramme,
				Budget: cents(p.TotalCost), EUContribution: cents(p.ECMaxContribution),
				URL: "https://cordis.europa.eu/project/id/" + p.ID,
			}}
			for _, pt := range pts {
				u.participants = append(u.participants, participant{party: pt.Party(), partner: pt.Partner("")})
			}
			return run.store(u)
		})
}

// kohesio imports a Kohesio CSV export. An operation with several
// beneficiaries spans several rows, which need not be adjacent, so a first
// pass selects the operations with a Flemish beneficiary and a second one
// gathers their rows.
func (run *importRun) kohesio(path string) error {
	selected := map[string]bool{}
	read := func(fn func(kohesio.Operation) error) (kohesio.Stats, error) {
		f, err := os.Open(path)
		if err != nil {
			return kohesio.Stats{}, err
		}
		defer f.Close()
		return kohesio.Read(f, fn)
	}
	ks, err := read(func(o kohesio.Operation) error {
		if _, keep := run.resolveRow(o.Party()); keep {
			selected[o.ID] = true
		}
		return run.ctx.Err()
	})
	if err != nil {
		return err
	}
	// Natural persons were skipped by the reader; they are rows all the same.
	run.stats.Rows += ks.NaturalPersons
	ops := map[string][]kohesio.Operation{}
	var order []string
	if _, err := read(func(o kohesio.Operation) error {
		if selected[o.ID] {
			if _, ok := ops[o.ID]; !ok {
				order = append(order, o.ID)
			}
			ops[o.ID] = append(ops[o.ID], o)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range order {
		rows := ops[id]
		o := rows[0]
		hp := o.History()
		u := unit{project: store.Project{
			Source: string(euhistory.SourceKohesio), SourceID: o.ID, Title: firstOf(o.Name, o.NameOriginal, o.LocalID, o.ID),
			Summary: o.Summary, Year: year(o.Start, o.End), Programme: hp.Programme,
			Budget: cents(o.TotalEligible), EUContribution: cents(o.EUBudget), URL: kohesioURL(o.ID),
		}}
		// Project_EU_Budget is the operation's, repeated on every
		// beneficiary's row: it is credited once, to the first beneficiary
		// that is a city (or the first row), not summed.
		credited := 0
		for i, row := range rows {
			if res := run.resolver.Resolve(row.Party()); res.Decision == resolve.Certain && res.Slug != "" {
				credited = i
				break
			}
		}
		for i, row := range rows {
			pt := row.Partner("")
			if i != credited {
				pt.EUContribution = nil
			}
			u.participants = append(u.participants, participant{party: row.Party(), partner: pt})
		}
		if err := run.store(u); err != nil {
			return err
		}
		delete(ops, id)
	}
	return nil
}

// kohesioURL turns an operation's linkedopendata.eu URI into its Kohesio
// page.
func kohesioURL(id string) string {
	if q, ok := strings.CutPrefix(id, "https://linkedopendata.eu/entity/"); ok {
		return "https://kohesio.ec.europa.eu/en/projects/" + q
	}
	return ""
}

// keep imports a keep.eu XLSX export or project JSON; every project comes
// with its partners, so one pass does.
func (run *importRun) keep(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fn := func(p keepeu.Project) error {
		var keep bool
		for _, pt := range p.Partners {
			if _, k := run.resolveRow(pt.Party()); k {
				keep = true
			}
		}
		if !keep {
			return run.ctx.Err()
		}
		u := unit{project: store.Project{
			Source: string(euhistory.SourceKeep), SourceID: p.ID, Title: firstOf(p.Name, p.Acronym, p.ID),
			Summary: p.Description, Year: year(p.Start, p.End), Programme: p.Programme,
			Budget: cents(p.TotalBudget), EUContribution: cents(p.EUFunding),
			URL: "https://keep.eu/projects/" + p.ID + "/",
		}}
		for _, pt := range p.Partners {
			u.participants = append(u.participants, participant{party: pt.Party(), partner: pt.Partner("")})
		}
		return run.store(u)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		return keepeu.ReadXLSX(f, fn)
	case ".json":
		return keepeu.DecodeJSON(f, fn)
	}
	return errors.New("a keep.eu file must be .xlsx or .json")
}

// Derive turns a stored project and its resolved participants into what is
// stored: its cities (one lead at most: the first leading city by slug),
// its other partners, the collaborations and the uptake. The import and an
// admin's verdict both go through it, so they cannot disagree.
func Derive(p store.Project, parts []store.HistoryParticipant) store.ImportedProject {
	start := time.Date(p.Year, 1, 1, 0, 0, 0, 0, time.UTC)
	hp := euhistory.Project{Source: euhistory.Source(p.Source), SourceID: p.SourceID, Title: p.Title, Summary: p.Summary,
		Programme: p.Programme, Start: &start}
	partners := make([]euhistory.Partner, len(parts))
	for i, pt := range parts {
		partners[i] = euhistory.Partner{ID: pt.OrganisationID, Name: pt.Name, Country: pt.Country, Role: euhistory.Role(pt.Role),
			City: pt.City, EUContribution: pt.EUContribution}
	}
	f := euhistory.Derive(hp, partners)

	p.Lead, p.Members, p.Partners = "", nil, nil
	for _, pp := range f.PastProjects {
		if pp.Role == euhistory.RoleLead && p.Lead == "" {
			p.Lead = pp.City
		} else {
			p.Members = append(p.Members, pp.City)
		}
	}
	byName := map[string]int{}
	for _, pt := range parts {
		if pt.City != "" {
			continue
		}
		if i, ok := byName[pt.Name]; ok {
			if pt.Role == string(euhistory.RoleLead) {
				p.Partners[i].Role = pt.Role
			}
			continue
		}
		byName[pt.Name] = len(p.Partners)
		p.Partners = append(p.Partners, store.Partner{Name: pt.Name, Country: pt.Country, Role: pt.Role})
	}

	ip := store.ImportedProject{Project: p, Participants: parts}
	for _, c := range f.Collaborations {
		ip.Collaborations = append(ip.Collaborations, store.Collaboration{City: c.City, PartnerCity: c.PartnerCity,
			PartnerOrganisationID: c.PartnerID, PartnerName: c.PartnerName, PartnerCountry: c.PartnerCountry})
	}
	for _, u := range f.Uptake {
		role := string(euhistory.RolePartner)
		if u.City == p.Lead {
			role = string(euhistory.RoleLead)
		}
		ip.Uptake = append(ip.Uptake, store.UptakeShare{City: u.City, Role: role, EUContribution: cents(u.EUContribution)})
	}
	return ip
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// year is the start year, else the end year, else 0.
func year(start, end *time.Time) int {
	switch {
	case start != nil:
		return start.Year()
	case end != nil:
		return end.Year()
	}
	return 0
}

// cents rounds an amount to the cent the database keeps, so that an
// unchanged amount compares equal on re-import; negative amounts (none are
// expected) are dropped.
func cents(v *float64) *float64 {
	if v == nil || *v < 0 || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return nil
	}
	r := math.Round(*v*100) / 100
	return &r
}

// country keeps a country only when it is an ISO 3166 alpha-2 code.
func country(c string) string {
	c = euhistory.Country(c)
	if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
		return ""
	}
	return c
}
