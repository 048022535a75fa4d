package store_test

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const sqlxPath = "github.com/jmoiron/sqlx"

// moduleRoot is the repository root, two levels above this package.
var moduleRoot = filepath.Join("..", "..")

// TestOnlyStoreAndDatabaseImportSqlx keeps queries and transactions inside
// internal/store: no other package, nor its tests, imports sqlx (database
// opens the pool; store runs every statement on it).
func TestOnlyStoreAndDatabaseImportSqlx(t *testing.T) {
	allowed := []string{"internal/store", "internal/database"}
	var importers []string
	seen := 0
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != moduleRoot && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, build.ImportComment)
		if _, none := err.(*build.NoGoError); none {
			return nil
		}
		if err != nil {
			return err
		}
		seen++
		rel, _ := filepath.Rel(moduleRoot, path)
		rel = filepath.ToSlash(rel)
		if slices.Contains(allowed, rel) {
			return nil
		}
		for _, imports := range [][]string{pkg.Imports, pkg.TestImports, pkg.XTestImports} {
			if slices.Contains(imports, sqlxPath) {
				importers = append(importers, rel)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 20 { // the walk must have found the module's packages to prove anything
		t.Fatalf("found only %d packages under %s", seen, moduleRoot)
	}
	if len(importers) > 0 {
		t.Errorf("these packages import %s; run their queries and transactions through internal/store: %v", sqlxPath, importers)
	}
}

// TestStoreExportsNoSqlxTypes keeps transactions inside the store: no
// exported function or method of the package takes or returns a sqlx type
// (a *sqlx.Tx above all); callers that combine writes use Store.InTx and
// the methods of store.Tx.
func TestStoreExportsNoSqlxTypes(t *testing.T) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	funcs := 0
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || !fn.Name.IsExported() || (fn.Recv != nil && !exportedReceiver(fn.Recv)) {
				continue
			}
			funcs++
			for _, fields := range []*ast.FieldList{fn.Type.Params, fn.Type.Results} {
				if fields == nil { // no results
					continue
				}
				for _, f := range fields.List {
					if mentionsSqlx(f.Type) {
						t.Errorf("%s: exported %s has a sqlx type in its signature", fset.Position(fn.Pos()), fn.Name.Name)
					}
				}
			}
		}
	}
	if funcs < 50 { // the parse must have found the package's API to prove anything
		t.Fatalf("found only %d exported functions in internal/store", funcs)
	}
}

// exportedReceiver reports whether a method's receiver type is exported.
func exportedReceiver(recv *ast.FieldList) bool {
	typ := recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}

// mentionsSqlx reports whether a type expression names anything of sqlx,
// however deep (a *sqlx.Tx, a func(*sqlx.Tx) error, a []sqlx.Execer).
func mentionsSqlx(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "sqlx" {
				found = true
			}
		}
		return !found
	})
	return found
}
