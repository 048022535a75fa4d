package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/auth"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

var welcomeLink = regexp.MustCompile(`http://localhost:8080/welcome\?token=([A-Za-z0-9_-]+)`)

func openTestStore(t *testing.T, dbURL string) *store.Store {
	t.Helper()
	db, err := database.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return store.New(db)
}

func TestSeedOnAnEmptyDatabasePrintsAOneTimeLinkForTheFirstAdmin(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": testdb.URL(t)}
	if code, _, stderr := fundmatch(ctx, env, "migrate"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := fundmatch(ctx, env, "seed")
	m := welcomeLink.FindStringSubmatch(stdout)
	if code != 0 || m == nil || !strings.Contains(stdout, "created admin@localhost") {
		t.Fatalf("seed = %d, no sign-in link for admin@localhost:\n%s%s", code, stdout, stderr)
	}
	st := openTestStore(t, env["DATABASE_URL"])
	u, err := st.SignInLinkUser(ctx, auth.HashToken(m[1]), time.Now())
	if err != nil || u.Email != "admin@localhost" || u.Role != store.RoleAdmin || u.PasswordHash != "" {
		t.Fatalf("the link's user = %+v, %v", u, err)
	}
	if _, err := st.SignInLinkUser(ctx, auth.HashToken(m[1]), time.Now().Add(25*time.Hour)); err == nil {
		t.Fatal("the link still works after 25 hours")
	}

	// Lost the link? The next start prints a new one for the same admin.
	_, stdout, _ = fundmatch(ctx, env, "seed")
	again := welcomeLink.FindStringSubmatch(stdout)
	if again == nil || again[1] == m[1] || strings.Contains(stdout, "created") {
		t.Fatalf("second seed, while nobody used the link:\n%s", stdout)
	}
	hash, _ := auth.HashPassword("correct horse battery")
	if _, err := st.UseSignInLink(ctx, auth.HashToken(again[1]), hash, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UseSignInLink(ctx, auth.HashToken(m[1]), hash, time.Now()); err == nil {
		t.Fatal("the first link still works after the admin chose a password")
	}
	_, stdout, _ = fundmatch(ctx, env, "seed")
	if strings.Contains(stdout, "first admin") {
		t.Fatalf("seed once the admin has a password:\n%s", stdout)
	}
	users, _ := st.Users(ctx)
	if len(users) != 1 {
		t.Fatalf("%d users, want the one admin", len(users))
	}
}

func TestSeedMakesTheAdminOfADMINEMAILAndRefusesAWeakPassword(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": testdb.URL(t), "ADMIN_EMAIL": "beheer@gent.be", "ADMIN_PASSWORD": "Welkom2024!!"}
	fundmatch(ctx, env, "migrate")
	code, stdout, stderr := fundmatch(ctx, env, "seed")
	if code != 1 || !strings.Contains(stderr, "ADMIN_PASSWORD") || !strings.Contains(stderr, "most common") || strings.Contains(stdout+stderr, "Welkom2024") {
		t.Fatalf("weak password: seed = %d\n%s%s", code, stdout, stderr)
	}
	st := openTestStore(t, env["DATABASE_URL"])
	if users, _ := st.Users(ctx); len(users) != 0 {
		t.Fatalf("%d users after a refused password", len(users))
	}
	env["ADMIN_PASSWORD"] = "a long and quiet river"
	code, stdout, stderr = fundmatch(ctx, env, "seed")
	if code != 0 || !strings.Contains(stdout, "created beheer@gent.be") || welcomeLink.MatchString(stdout) {
		t.Fatalf("seed = %d\n%s%s", code, stdout, stderr)
	}
	u, err := st.UserByEmail(ctx, "beheer@gent.be")
	if err != nil || u.Role != store.RoleAdmin {
		t.Fatalf("admin = %+v, %v", u, err)
	}
	if ok, _ := auth.CheckPassword(ctx, u.PasswordHash, "a long and quiet river"); !ok {
		t.Fatal("the admin's password is not ADMIN_PASSWORD")
	}
	// Another address later makes no second admin.
	env["ADMIN_EMAIL"] = "ander@gent.be"
	if _, stdout, _ = fundmatch(ctx, env, "seed"); strings.Contains(stdout, "first admin") {
		t.Fatalf("a second admin:\n%s", stdout)
	}
}

func TestAllMakesTheFirstAdminWhoThenSignsIn(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL": testdb.URL(t), "REDIS_URL": testdb.RedisURL(t), "HTTP_ADDR": freeAddr(t),
		"SHUTDOWN_TIMEOUT": "5s", "LOG_LEVEL": "warn", "ADMIN_EMAIL": "beheer@gent.be", "ADMIN_PASSWORD": "a long and quiet river",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan string, 1)
	go func() {
		_, stdout, stderr := fundmatch(ctx, env, "all")
		done <- stdout + stderr
	}()
	base := "http://" + env["HTTP_ADDR"]
	testdb.Eventually(t, "fundmatch all is ready", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{
		"email": {"beheer@gent.be"}, "password": {"a long and quiet river"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	out := <-done
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the first admin's sign-in = %d\n%s", resp.StatusCode, out)
	}
	if !strings.Contains(out, "first admin: created beheer@gent.be") {
		t.Fatalf("all did not say it made the admin:\n%s", out)
	}
}
