package planning

import (
	"testing"

	"github.com/fundmatch/fundmatch/matching/consortium"
)

func TestInVlaanderenNederland(t *testing.T) {
	tests := []struct {
		province, arrondissement string
		want                     bool
	}{
		{"Antwerpen", "Turnhout", true},
		{"Limburg", "Maaseik", true},
		{"Oost-Vlaanderen", "Oudenaarde", true},
		{"Vlaams-Brabant", "Leuven", true},
		{"Vlaams-Brabant", "Halle-Vilvoorde", false},
		{"West-Vlaanderen", "Brugge", true},
		{"West-Vlaanderen", "Ieper", false},
		{"West-Vlaanderen", "Veurne", false},
		{"Brussel", "Brussel-Hoofdstad", false},
	}
	for _, tt := range tests {
		t.Run(tt.province+"/"+tt.arrondissement, func(t *testing.T) {
			if got := InVlaanderenNederland(tt.province, tt.arrondissement); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestActionKind(t *testing.T) {
	tests := []struct {
		name  string
		types []string
		want  consortium.ActionKind
	}{
		{"no types: collaborative", nil, consortium.Collaborative},
		{"Horizon RIA", []string{"HORIZON Research and Innovation Actions"}, consortium.Collaborative},
		{"Horizon IA acronym", []string{"HORIZON-IA"}, consortium.Collaborative},
		{"Digital CSA", []string{"DIGITAL-CSA DIGITAL Coordination and Support Actions"}, consortium.Collaborative},
		{"ERC grant", []string{"ERC-POC"}, consortium.MonoBeneficiary},
		{"MSCA fellowship", []string{"MSCA Postdoctoral Fellowships"}, consortium.MonoBeneficiary},
		{"EIC Accelerator", []string{"HORIZON EIC Accelerator"}, consortium.MonoBeneficiary},
		{"mono and collaborative: collaborative", []string{"ERC-SyG", "HORIZON-RIA"}, consortium.Collaborative},
		{"lump sum grant, nothing said", []string{"DIGITAL Simple Grants"}, consortium.Collaborative},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ActionKind(tt.types); got != tt.want {
				t.Errorf("ActionKind(%q) = %s, want %s", tt.types, got, tt.want)
			}
		})
	}
}
