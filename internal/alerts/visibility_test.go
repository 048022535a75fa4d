package alerts_test

import (
	"testing"

	"github.com/fundmatch/fundmatch/internal/store"
)

// TestACoordinatorsPlanInvitesOnlyTheirCities: a plan a coordinator of
// Gent made (with Antwerpen in it, as an adjustment by others could) invites
// Gent's subscribers and the coordinator, never Antwerpen's: the plan was
// not theirs to send to Antwerpen.
func TestACoordinatorsPlanInvitesOnlyTheirCities(t *testing.T) {
	f := newFixture(t)
	f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 100})
	antwSub := f.subscribe(store.NewSubscription{Email: "officer@antwerpen.be", MinScore: 100, Cities: []string{"antwerpen"}})
	f.subscribe(store.NewSubscription{Email: "coordinator@ovl.be", MinScore: 100, Cities: []string{}})
	f.exec(`UPDATE users SET role = 'coordinator' WHERE email = 'coordinator@ovl.be'`)
	f.exec(`INSERT INTO user_cities (user_id, city_id) SELECT id, $1 FROM users WHERE email = 'coordinator@ovl.be'`, f.gent)
	call := f.call("CALL-1", "Green streets", "LIFE", "2027-04-14")
	run := f.id(`INSERT INTO plan_runs (scope, created_by) VALUES ('call', (SELECT id FROM users WHERE email = 'coordinator@ovl.be')) RETURNING id`)
	plan := f.id(`INSERT INTO consortium_plans (plan_run_id, call_id, value) VALUES ($1, $2, 0.8) RETURNING id`, run, call)
	f.exec(`INSERT INTO consortium_members (plan_id, city_id, role) VALUES ($1, $2, 'lead'), ($1, $3, 'partner')`, plan, f.gent, f.antw)

	if added := f.sweep(monday); added[store.EventInvitation] != 2 {
		t.Fatalf("sweep added %v, want two invitations (Gent's officer and the coordinator)", added)
	}
	var n int
	if err := f.db.GetContext(f.ctx, &n, `SELECT count(*) FROM notifications WHERE subscription_id = $1`, antwSub); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("Antwerpen's subscriber got %d invitations to a plan of Gent's coordinator", n)
	}
}
