package resolve

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Municipality is one entry of the reference list of Flemish municipalities
// (and the VGC) the resolver recognises.
type Municipality struct {
	Slug       string   // e.g. "sint-niklaas"
	NIS        string   // NIS code, e.g. "46021"; Belgium's LAU code is the NIS code
	Name       string   // official Dutch name
	OtherNames []string // translations and other names: "Saint-Nicolas", "Ghent", "Gand"
	Postcodes  []string // every postcode of the municipality, including its deelgemeenten
	Province   string
	NUTS3      string // e.g. "BE236"
	// FormerNIS are the codes of the municipalities merged into this one on
	// 1 January 2025 (Mergers2025); New fills them, with their names.
	FormerNIS []string
	// FormerNUTS3 are those former municipalities' NUTS-3 codes where they
	// differ from NUTS3 (they were in another arrondissement).
	FormerNUTS3 []string
}

// ReadMunicipalities reads the reference list as CSV with the header
// slug,nis,name_nl,names_other,postcodes,province,nuts3; lists inside a field
// are separated by '|'.
func ReadMunicipalities(r io.Reader) ([]Municipality, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read municipalities header: %w", err)
	}
	want := []string{"slug", "nis", "name_nl", "names_other", "postcodes", "province", "nuts3"}
	if strings.Join(header, ",") != strings.Join(want, ",") {
		return nil, fmt.Errorf("read municipalities: header %q, want %q", header, want)
	}
	var ms []Municipality
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return ms, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read municipalities: %w", err)
		}
		ms = append(ms, Municipality{
			Slug: rec[0], NIS: rec[1], Name: rec[2], OtherNames: list(rec[3]),
			Postcodes: list(rec[4]), Province: rec[5], NUTS3: rec[6],
		})
	}
}

func list(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
