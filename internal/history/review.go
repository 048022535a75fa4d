package history

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/fundmatch/fundmatch/euhistory/resolve"
	"github.com/fundmatch/fundmatch/internal/store"
)

// bodies are the kinds of body a confirmed name can be.
var bodies = []resolve.Body{resolve.BodyMunicipality, resolve.BodyOCMW, resolve.BodyAutonomous,
	resolve.BodyPoliceZone, resolve.BodyCityAgency, resolve.BodyVGC}

// Verdict is an admin's decision on a participant name from the review
// list.
type Verdict struct {
	// Key is the name key from the review list; a participant's name is
	// accepted too and normalised to its key.
	Key string
	// City is the slug of the city the name belongs to; empty rejects it.
	City string
	// Body is the kind of body (see resolve.Body); empty means the
	// municipality itself.
	Body string
	By   string // who decided, for the record
}

// Decide stores an admin's verdict and applies it at once to the imported
// projects in which the name appears: a confirmed name makes its city a
// member (with collaborations and uptake), a rejected one takes it out.
// Later imports apply the verdict too. It returns the number of projects
// whose stored facts changed.
func (im *Importer) Decide(ctx context.Context, v Verdict) (int, error) {
	key := resolve.Key(v.Key)
	if key == "" {
		return 0, errors.New("decide: the name key is empty")
	}
	if v.Body != "" && !slices.Contains(bodies, resolve.Body(v.Body)) {
		return 0, fmt.Errorf("decide: unknown body %q; want one of %v", v.Body, bodies)
	}
	d := store.EntityDecision{Key: key, Verdict: store.VerdictRejected, DecidedBy: v.By, DecidedAt: im.now()}
	if v.City != "" {
		d.Verdict, d.City, d.Body = store.VerdictConfirmed, v.City, v.Body
	}
	var changed int
	err := im.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockHistory(ctx); err != nil {
			return err
		}
		if err := tx.SaveEntityDecision(ctx, d); err != nil {
			return err
		}
		ips, err := tx.ImportedProjectsWithKey(ctx, key)
		if err != nil {
			return err
		}
		slugs := []string{v.City}
		for _, ip := range ips {
			for _, pt := range ip.Participants {
				slugs = append(slugs, pt.City)
			}
		}
		cityIDs, err := tx.CityIDs(ctx, slugs)
		if err != nil {
			return err
		}
		for _, ip := range ips {
			for i := range ip.Participants {
				if ip.Participants[i].EntityKey == key {
					ip.Participants[i].City = v.City
				}
			}
			ch, err := tx.SaveImportedProject(ctx, Derive(ip.Project, ip.Participants), cityIDs)
			if err != nil {
				return err
			}
			if ch.Any() {
				changed++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("decide on %q: %w", key, err)
	}
	return changed, nil
}
