package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fundmatch/fundmatch/internal/auth"
	"github.com/fundmatch/fundmatch/internal/store"
)

const usersUsage = "add|list|disable|enable|revoke|rotate-ical [flags]"

func runUsers(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "add":
			return runUsersAdd(ctx, e, args[1:])
		case "list":
			return runUsersList(ctx, e, args[1:])
		case "disable", "enable", "revoke":
			return runUsersControl(ctx, e, args[0], args[1:])
		case "rotate-ical":
			return runUsersRotateICal(ctx, e, args[1:])
		}
	}
	fs := e.flags("users", usersUsage, "Add, list, disable or enable users, revoke their sessions and tokens, or give them new\niCal links. 'fundmatch users add --help' shows the flags of add, and so on.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	return usageError{msg: "want: users " + usersUsage}
}

// runUsersControl disables or enables a user, or revokes their sessions
// and API tokens. Web servers drop what they kept of the user at once.
func runUsersControl(ctx context.Context, e *env, action string, args []string) error {
	help := map[string]string{
		"disable": "Disable a user: they can no longer sign in, their sessions end and their API tokens are\nrefused until they are enabled again.",
		"enable":  "Enable a disabled user again. Their API tokens work again; sessions ended when disabled do not.",
		"revoke":  "End every session of a user and revoke every API token, for instance after a lost laptop.",
	}[action]
	fs := e.flags("users "+action, "--email E", help)
	email := fs.String("email", "", "the user (required)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *email == "" || fs.NArg() > 0 {
		return usageError{msg: "want: users " + action + " --email E"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := st.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	now := time.Now()
	switch action {
	case "revoke":
		sessions, tokens, err := st.RevokeUserAccess(ctx, u.ID, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "revoked %d sessions and %d API tokens of %s\n", sessions, tokens, u.Email)
		return nil
	default:
		if err := st.SetUserDisabled(ctx, u.ID, action == "disable", now); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%sd %s\n", action, u.Email)
		return nil
	}
}

// runUsersRotateICal gives a user, or every user of a city, a new secret
// iCal URL; the old ones stop working.
func runUsersRotateICal(ctx context.Context, e *env, args []string) error {
	fs := e.flags("users rotate-ical", "--email E | --city SLUG",
		"Give a user, or every user of a city, a new secret iCal URL; the old one stops working. Use it\nwhen a calendar link has leaked.")
	email := fs.String("email", "", "the user whose iCal URL changes")
	city := fs.String("city", "", "slug of the city whose users' iCal URLs change")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if (*email == "") == (*city == "") || fs.NArg() > 0 {
		return usageError{msg: "want: users rotate-ical --email E | --city SLUG"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if *city != "" {
		n, err := st.RotateCityICal(ctx, *city)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "new iCal URLs for %d users of %s\n", n, *city)
		return nil
	}
	u, err := st.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	if err := st.RotateUserICal(ctx, u.ID); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "new iCal URL for %s\n", u.Email)
	return nil
}

func runUsersAdd(ctx context.Context, e *env, args []string) error {
	fs := e.flags("users add", "--email E --role R [--city SLUG ...] --password-stdin",
		"Add a user. Roles: officer (one or more cities), coordinator (a set of cities), government\n(reads everything, changes nothing) and admin. The password is read from the first line of\nstandard input, so it never shows in the process list or the shell history.")
	email := fs.String("email", "", "email address, used to sign in (required)")
	name := fs.String("name", "", "display name")
	role := choiceFlag(fs, "role", "", "officer, coordinator, government or admin (required)", store.ParseRole)
	lang := fs.String("language", "nl", "interface language: nl or en")
	var cities stringList
	fs.Var(&cities, "city", "slug of a city the user works for or coordinates (repeat for more)")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from standard input (required)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError{msg: "users add takes no arguments"}
	case *email == "" || *role == "":
		return usageError{msg: "--email and --role are required"}
	case !*passwordStdin:
		return usageError{msg: "--password-stdin is required: pipe the password in"}
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return errors.New("no password on standard input")
	}
	hash, err := auth.HashPassword(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return err
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := st.CreateUser(ctx, store.NewUser{Email: *email, Name: *name, PasswordHash: hash, Role: *role, Language: *lang, Cities: cities})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added %s (%s) %s\n", u.Email, u.Role, strings.Join(u.Cities, ","))
	return nil
}

func runUsersList(ctx context.Context, e *env, args []string) error {
	fs := e.flags("users list", "", "List the users with their role and cities.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tROLE\tCITIES\tSTATUS")
	for _, u := range users {
		status := "active"
		if u.DisabledAt != nil {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Email, u.Role, strings.Join(u.Cities, ","), status)
	}
	return tw.Flush()
}

func runTokens(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fs := e.flags("tokens", "create --email E [--name N]", "Create an API token.")
		if err := e.parse(fs, args); err != nil {
			return err
		}
		return usageError{msg: "want: tokens create --email E [--name N]"}
	}
	fs := e.flags("tokens create", "--email E [--name N]",
		"Create an API token for a user and print it once; only its SHA-256 is stored. Send it as\n'Authorization: Bearer TOKEN'.")
	email := fs.String("email", "", "the user the token acts for (required)")
	name := fs.String("name", "", "what the token is for, e.g. the script's name")
	if err := e.parse(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" || fs.NArg() > 0 {
		return usageError{msg: "want: tokens create --email E [--name N]"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := st.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	token, hash := auth.NewToken()
	if err := st.CreateAPIToken(ctx, u.ID, *name, hash); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, token)
	return nil
}
