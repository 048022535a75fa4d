package euhistory

import (
	"testing"
)

func TestAmountAcceptsBothDecimalSeparators(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"528340.97", 528340.97},
		{"960619,95", 960619.95},
		{"230000", 230000},
		{"1.234.567,89", 1234567.89},
		{"1,234,567.89", 1234567.89},
		{"1.234.567", 1234567},
		{" 337478.4 ", 337478.4},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Amount(tt.in)
			if err != nil || got == nil || *got != tt.want {
				t.Errorf("Amount(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
	if got, err := Amount(""); got != nil || err != nil {
		t.Errorf("Amount(\"\") = %v, %v; want nil, nil", got, err)
	}
	if _, err := Amount("n/a"); err == nil {
		t.Error("Amount(n/a) gave no error")
	}
}

func TestCountryUsesISOCodes(t *testing.T) {
	for in, want := range map[string]string{"EL": "GR", "UK": "GB", "be": "BE", "Belgium": "BE", "België": "BE", "XK": "XK"} {
		if got := Country(in); got != want {
			t.Errorf("Country(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDateReadsTheSourcesLayouts(t *testing.T) {
	for _, in := range []string{"2023-09-01", "01/09/2023", "2023-09-01 10:25:16"} {
		d, err := Date(in)
		if err != nil || d.Format("2006-01-02") != "2023-09-01" {
			t.Errorf("Date(%q) = %v, %v", in, d, err)
		}
	}
	if _, err := Date("31/02/2023"); err == nil {
		t.Error("Date(31/02/2023) gave no error")
	}
}

func TestNaturalPerson(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"Jan Peeters", true},
		{"CORDOVA Trey Christian", true},
		{"Siobhan O'Brien", true},
		{"Natural person", true},
		{"Bénéficiaire (personne physique)", true},
		{"Carlow LEO", false},
		{"AMN Productions Ltd", false},
		{"Stad Gent", false},
		{"Stad Sint-Niklaas", false},
		{"Jan Palfijn ziekenhuis", false},
		{"THE WELLCOME TRUST LIMITED", false},
		{"Marie", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NaturalPerson(tt.name); got != tt.want {
				t.Errorf("NaturalPerson(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestDeriveMergesACitysBodiesAndSkipsPersons(t *testing.T) {
	eu := func(v float64) *float64 { return &v }
	p := Project{Source: SourceKeep, SourceID: "42", Title: "T", Programme: "Interreg NWE"}
	facts := Derive(p, []Partner{
		{Name: "Stad Gent", Country: "BE", Role: RolePartner, City: "gent", EUContribution: eu(100)},
		{Name: "OCMW Gent", Country: "BE", Role: RoleLead, City: "gent", EUContribution: eu(50)},
		{Name: "Universiteit Gent", Country: "BE", Role: RolePartner},
		{Name: "Gemeente Breda", Country: "NL", Role: RolePartner},
		{Name: "Jan Jansen", Country: "NL", Role: RolePartner},
	})
	if len(facts.Uptake) != 1 || facts.Uptake[0].Role != RoleLead || *facts.Uptake[0].EUContribution != 150 {
		t.Errorf("uptake %+v, want one lead row of 150 for gent", facts.Uptake)
	}
	if len(facts.Collaborations) != 1 || facts.Collaborations[0].PartnerName != "Gemeente Breda" || facts.Collaborations[0].PartnerCountry != "NL" {
		t.Errorf("collaborations %+v, want only gent with Gemeente Breda", facts.Collaborations)
	}
	if len(facts.PastProjects) != 1 || facts.PastProjects[0].Year != 0 {
		t.Errorf("past projects %+v", facts.PastProjects)
	}
}
