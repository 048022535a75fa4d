package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/fundmatch/fundmatch/internal/auth"
	"github.com/fundmatch/fundmatch/internal/store"
)

func runUsers(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && (args[0] == "add" || args[0] == "list") {
		if args[0] == "add" {
			return runUsersAdd(ctx, e, args[1:])
		}
		return runUsersList(ctx, e, args[1:])
	}
	fs := e.flags("users", "add|list [flags]", "Add a user or list the users. 'fundmatch users add --help' shows the flags of add.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	return usageError{msg: "want: users add|list"}
}

func runUsersAdd(ctx context.Context, e *env, args []string) error {
	fs := e.flags("users add", "--email E --role R [--city SLUG ...] --password-stdin",
		"Add a user. Roles: officer (one or more cities), coordinator (a set of cities), government\n(reads everything, changes nothing) and admin. The password is read from the first line of\nstandard input, so it never shows in the process list or the shell history.")
	email := fs.String("email", "", "email address, used to sign in (required)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "officer, coordinator, government or admin (required)")
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
