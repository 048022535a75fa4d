package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/fundmatch/fundmatch/internal/auth"
	"github.com/fundmatch/fundmatch/internal/store"
)

// defaultAdminEmail is the first admin's address when ADMIN_EMAIL is unset;
// the newcomer signs in through a link, so it needs no mailbox.
const defaultAdminEmail = "admin@localhost"

// ensureFirstAdmin makes sure somebody can sign in to a new installation
// (see store.BootstrapAdmin): it creates the admin of ADMIN_EMAIL and
// ADMIN_PASSWORD, or else admin@localhost, and prints a one-time link that
// signs them in to choose a password. While nobody has used such a link,
// every start prints a new one, so a lost or expired link is no dead end.
// Once an admin has a password it does nothing.
func (e *env) ensureFirstAdmin(ctx context.Context, st *store.Store) error {
	nu := store.NewUser{Email: e.cfg.AdminEmail, Role: store.RoleAdmin, Name: "Admin"}
	var token string
	var linkHash []byte
	if e.cfg.AdminPassword != "" {
		hash, err := auth.HashPassword(e.cfg.AdminPassword)
		if err != nil {
			return fmt.Errorf("ADMIN_PASSWORD: %w", err)
		}
		nu.PasswordHash = hash
	} else {
		nu.Email = defaultAdminEmail
		token, linkHash = auth.NewToken()
	}
	u, action, err := st.BootstrapAdmin(ctx, nu, linkHash, time.Now().Add(store.SignInLinkLifetime))
	if err != nil {
		return err
	}
	switch {
	case action == store.BootstrapNothing:
	case linkHash != nil:
		if action == store.BootstrapCreated {
			fmt.Fprintf(e.stdout, "first admin: created %s\n", u.Email)
		}
		fmt.Fprintf(e.stdout, "first admin: to sign in as %s and choose a password, open within 24 hours (it works once):\n  %s/welcome?token=%s\n",
			u.Email, e.cfg.BaseURL, url.QueryEscape(token))
	case action == store.BootstrapCreated:
		fmt.Fprintf(e.stdout, "first admin: created %s with ADMIN_PASSWORD\n", u.Email)
	case action == store.BootstrapPasswordSet:
		fmt.Fprintf(e.stdout, "first admin: %s now has ADMIN_PASSWORD\n", u.Email)
	}
	return nil
}
