package cordis

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// The member files an archive must hold. CORDIS changed the JSON zip's
// layout silently in 2026; the CSV zip is preferred, and a missing member is
// an error rather than an import of zero rows.
const (
	ProjectsFile       = "project.csv"
	ParticipationsFile = "organization.csv"
)

// Archive is a CORDIS CSV dump: a zip (cordis-HORIZONprojects-csv.zip,
// cordis-h2020projects-csv.zip) or a directory holding project.csv and
// organization.csv. Members are streamed on every read, never loaded whole.
type Archive struct {
	name    string
	open    func(member string) (io.ReadCloser, error)
	members map[string]string // base name -> member path
	closer  io.Closer
}

// Open opens a CORDIS zip file or directory at path. The caller closes the
// Archive.
func Open(p string) (*Archive, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("open cordis dump: %w", err)
	}
	if info.IsDir() {
		return OpenDir(p)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open cordis dump: %w", err)
	}
	a, err := OpenZip(f, info.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	a.name, a.closer = p, f
	return a, nil
}

// OpenZip reads a CORDIS zip from ra, which is size bytes long. Only the
// zip's central directory is read here; members are streamed later.
func OpenZip(ra io.ReaderAt, size int64) (*Archive, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("open cordis zip: %w", err)
	}
	files := map[string]*zip.File{}
	members := map[string]string{}
	for _, f := range zr.File {
		base := strings.ToLower(path.Base(f.Name))
		if _, dup := files[base]; !dup {
			files[base] = f
			members[base] = f.Name
		}
	}
	a := &Archive{name: "zip", members: members, open: func(member string) (io.ReadCloser, error) {
		return files[member].Open()
	}}
	return a, a.check()
}

// OpenDir reads a directory holding the unzipped CORDIS CSV files.
func OpenDir(dir string) (*Archive, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open cordis directory: %w", err)
	}
	members := map[string]string{}
	for _, e := range entries {
		if !e.IsDir() {
			members[strings.ToLower(e.Name())] = e.Name()
		}
	}
	a := &Archive{name: dir, members: members, open: func(member string) (io.ReadCloser, error) {
		return os.Open(filepath.Join(dir, members[member]))
	}}
	return a, a.check()
}

// check fails loudly, naming the missing member and what is there instead.
func (a *Archive) check() error {
	for _, want := range []string{ProjectsFile, ParticipationsFile} {
		if _, ok := a.members[want]; !ok {
			have := make([]string, 0, len(a.members))
			for _, m := range a.members {
				have = append(have, m)
			}
			return fmt.Errorf("cordis dump %s has no %s (has %s)", a.name, want, strings.Join(have, ", "))
		}
	}
	return nil
}

// Close releases the file behind the archive, if Open opened one.
func (a *Archive) Close() error {
	if a.closer == nil {
		return nil
	}
	return a.closer.Close()
}

// Projects streams project.csv.
func (a *Archive) Projects(fn func(Project) error) error {
	return a.read(ProjectsFile, func(r io.Reader) error { return ReadProjects(r, fn) })
}

// Participations streams organization.csv.
func (a *Archive) Participations(fn func(Participation) error) error {
	return a.read(ParticipationsFile, func(r io.Reader) error { return ReadParticipations(r, fn) })
}

func (a *Archive) read(member string, fn func(io.Reader) error) error {
	rc, err := a.open(member)
	if err != nil {
		return fmt.Errorf("open %s: %w", member, err)
	}
	defer rc.Close()
	return fn(rc)
}

// Collect calls fn once for every project that has at least one
// participation for which keep returns true (a Flemish city, say), with the
// project and all its participations, foreign partners included. It reads
// organization.csv twice and project.csv once, so memory grows with the
// selected projects only, never with the file. A project missing from
// project.csv is passed with only its ID and acronym set. Projects come in
// project.csv order, then the missing ones in organization.csv order.
func (a *Archive) Collect(keep func(Participation) bool, fn func(Project, []Participation) error) error {
	selected := map[string]bool{}
	err := a.Participations(func(pt Participation) error {
		if !selected[pt.ProjectID] && keep(pt) {
			selected[pt.ProjectID] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	parts := make(map[string][]Participation, len(selected))
	var order []string
	err = a.Participations(func(pt Participation) error {
		if selected[pt.ProjectID] {
			if _, ok := parts[pt.ProjectID]; !ok {
				order = append(order, pt.ProjectID)
			}
			parts[pt.ProjectID] = append(parts[pt.ProjectID], pt)
		}
		return nil
	})
	if err != nil {
		return err
	}
	done := make(map[string]bool, len(selected))
	err = a.Projects(func(p Project) error {
		if !selected[p.ID] || done[p.ID] {
			return nil
		}
		done[p.ID] = true
		return fn(p, parts[p.ID])
	})
	if err != nil {
		return err
	}
	for _, id := range order {
		if !done[id] {
			ps := parts[id]
			if err := fn(Project{ID: id, Acronym: ps[0].ProjectAcronym}, ps); err != nil {
				return err
			}
		}
	}
	return nil
}
