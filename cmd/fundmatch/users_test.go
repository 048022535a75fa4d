package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/testdb"
)

func TestUsersAddListAndTokensCreate(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": testdb.URL(t)}
	for _, args := range [][]string{{"migrate"}, {"seed"}} {
		if code, _, stderr := fundmatch(ctx, env, args...); code != 0 {
			t.Fatalf("fundmatch %v: %s", args, stderr)
		}
	}
	withStdin := func(stdin string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantOutput string
	}{
		{"OfficerOfTwoCities", "correct horse battery\n", []string{"users", "add", "--email", "o@gent.be", "--role", "officer", "--city", "gent", "--city", "aalst", "--password-stdin"}, 0, "added o@gent.be (officer) aalst,gent"},
		{"TakenEmail", "correct horse battery\n", []string{"users", "add", "--email", "O@gent.be", "--role", "admin", "--password-stdin"}, 1, "exists already"},
		{"UnknownCity", "correct horse battery\n", []string{"users", "add", "--email", "x@x.be", "--role", "officer", "--city", "atlantis", "--password-stdin"}, 1, `unknown city "atlantis"`},
		{"ShortPassword", "short\n", []string{"users", "add", "--email", "y@x.be", "--role", "admin", "--password-stdin"}, 1, "at least 12"},
		{"NoPasswordStdin", "", []string{"users", "add", "--email", "y@x.be", "--role", "admin"}, 2, "--password-stdin is required"},
		{"List", "", []string{"users", "list"}, 0, "o@gent.be  officer  aalst,gent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := withStdin(tt.stdin, tt.args...)
			if code != tt.wantCode || !strings.Contains(stdout+stderr, tt.wantOutput) {
				t.Fatalf("exit %d, want %d; output %q lacks %q", code, tt.wantCode, stdout+stderr, tt.wantOutput)
			}
		})
	}
	code, stdout, stderr := withStdin("", "tokens", "create", "--email", "o@gent.be", "--name", "script")
	if code != 0 || len(strings.TrimSpace(stdout)) < 40 {
		t.Fatalf("tokens create = %d %q %s", code, stdout, stderr)
	}
}
