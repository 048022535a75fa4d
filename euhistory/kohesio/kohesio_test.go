package kohesio

import (
	"os"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/euhistory"
	"github.com/fundmatch/fundmatch/euhistory/resolve"
)

func readFile(t *testing.T, name string) ([]Operation, Stats) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ops []Operation
	st, err := Read(f, func(o Operation) error { ops = append(ops, o); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return ops, st
}

func TestReadBothPeriodsAndKeepNaturalPersonsOut(t *testing.T) {
	tests := []struct {
		file             string
		rows, persons    int
		firstBeneficiary string
	}{
		{"testdata/IE-pp14-20-excerpt.csv", 3, 1, "AMN Productions Ltd"},
		{"testdata/BE-pp21-27-excerpt.csv", 6, 2, "Stad Gent"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ops, st := readFile(t, tt.file)
			if st.Rows != tt.rows || st.NaturalPersons != tt.persons || len(ops) != tt.rows-tt.persons {
				t.Errorf("stats %+v with %d operations, want %d rows, %d persons", st, len(ops), tt.rows, tt.persons)
			}
			if ops[0].Beneficiary.Name != tt.firstBeneficiary {
				t.Errorf("first beneficiary %q, want %q (BOM in the header?)", ops[0].Beneficiary.Name, tt.firstBeneficiary)
			}
			for _, o := range ops {
				if euhistory.NaturalPerson(o.Beneficiary.Name) {
					t.Errorf("natural person %q was passed on", o.Beneficiary.Name)
				}
			}
		})
	}
}

func TestReadParsesDatesAmountsCodesAndLineBreaks(t *testing.T) {
	ops, _ := readFile(t, "testdata/BE-pp21-27-excerpt.csv")
	gent := ops[0]
	if gent.Start == nil || gent.Start.Format("2006-01-02") != "2023-09-01" || gent.End.Format("2006-01-02") != "2026-08-31" {
		t.Errorf("dates %v %v, want 2023-09-01 and 2026-08-31 from DD/MM/YYYY", gent.Start, gent.End)
	}
	if gent.EUBudget == nil || *gent.EUBudget != 337478.4 || *gent.CofinancingRate != 40 {
		t.Errorf("EU budget %v rate %v", gent.EUBudget, gent.CofinancingRate)
	}
	if gent.Country != "BE" || gent.PostalCode != "9000" || gent.NUTS3Code != "BE234" || strings.Join(gent.LAUIDs, ",") != "BE_44021" {
		t.Errorf("location %s %s %s %v", gent.Country, gent.PostalCode, gent.NUTS3Code, gent.LAUIDs)
	}
	if gent.Summary != "The city builds a data platform.\nSecond paragraph, with \"quotes\" and, commas." {
		t.Errorf("summary %q", gent.Summary)
	}
	port := ops[1]
	if port.Name != "Circulaire haven Antwerpen-Brugge" || port.Summary != "Haven en stad werken samen." {
		t.Errorf("no English name or summary should fall back to the programme language: %q %q", port.Name, port.Summary)
	}
	if got := strings.Join(ops[2].LAUIDs, ","); got != "BE_34022,BE_34013,BE_34027" {
		t.Errorf("LAU ids %q", got)
	}
}

func TestReadFailsOnAnotherFile(t *testing.T) {
	_, err := Read(strings.NewReader("projectID,name\n1,x\n"), func(Operation) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "Operation_Unique_Identifier") {
		t.Errorf("err = %v, want one naming the missing column", err)
	}
}

func TestBeneficiariesResolve(t *testing.T) {
	f, err := os.Open("../resolve/testdata/municipalities.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, err := resolve.ReadMunicipalities(f)
	if err != nil {
		t.Fatal(err)
	}
	r, err := resolve.New(ms, nil)
	if err != nil {
		t.Fatal(err)
	}
	ops, _ := readFile(t, "testdata/BE-pp21-27-excerpt.csv")
	want := []struct {
		decision resolve.Decision
		slug     string
		body     resolve.Body
	}{
		{resolve.Certain, "gent", resolve.BodyMunicipality},
		{resolve.None, "", ""}, // the port company is not the city
		{resolve.Certain, "", resolve.BodyIntercommunale},
		{resolve.Certain, "kortrijk", resolve.BodyMunicipality},
	}
	for i, w := range want {
		got := r.Resolve(ops[i].Party())
		if got.Decision != w.decision || got.Slug != w.slug || got.Body != w.body {
			t.Errorf("%s: %s %q %q (%q), want %s %q %q", ops[i].Beneficiary.Name, got.Decision, got.Slug, got.Body, got.Evidence, w.decision, w.slug, w.body)
		}
	}
	facts := euhistory.Derive(ops[0].History(), []euhistory.Partner{ops[0].Partner("gent")})
	if len(facts.Uptake) != 1 || facts.Uptake[0].Programme != "ERDF" || facts.Uptake[0].Year != 2023 || facts.Uptake[0].Role != euhistory.RoleLead {
		t.Errorf("uptake %+v", facts.Uptake)
	}
}
