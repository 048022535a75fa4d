// Package migrations holds fundmatch's SQL schema as goose migration files,
// embedded in the binary so that `fundmatch migrate` needs nothing beside it.
// Files are applied in the order of their numeric prefix, each in its own
// transaction; add new files, never edit applied ones.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
