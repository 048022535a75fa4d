package euhistory

import (
	"strings"
	"unicode"
)

// NaturalPerson reports whether a beneficiary or participant name looks like
// a private individual's, which must be kept out of the history (Kohesio and
// CORDIS both publish some). A name is a person's when the source flags it
// ("natural person", "personne physique"), or when it has two to four words,
// no digits and no organisation word, and one of its words is a common given
// name ("Jan Peeters", "CORDOVA Trey Christian"). Names without a known given
// name ("Carlow LEO") are kept as organisations.
func NaturalPerson(name string) bool {
	lower := strings.ToLower(strings.TrimSpace(name))
	for _, flag := range personFlags {
		if strings.Contains(lower, flag) {
			return true
		}
	}
	words := strings.FieldsFunc(lower, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '.' })
	if len(words) < 2 || len(words) > 4 {
		return false
	}
	given := false
	for _, w := range words {
		for _, r := range w {
			if !unicode.IsLetter(r) && r != '-' && r != '\'' {
				return false
			}
		}
		if organisationWords[w] {
			return false
		}
		if givenNames[w] {
			given = true
		}
	}
	return given
}

var personFlags = []string{
	"natural person", "natuurlijke persoon", "natuurlijk persoon", "personne physique", "private individual",
	"physical person", "persona fisica", "persona física", "natürliche person", "privatperson",
}

// organisationWords rule out a person: a given name inside an
// organisation's name ("Stad Sint-Niklaas", "Jan Palfijn ziekenhuis").
var organisationWords = map[string]bool{
	"stad": true, "gemeente": true, "city": true, "ocmw": true, "ville": true, "commune": true,
	"nv": true, "bv": true, "bvba": true, "vzw": true, "asbl": true, "sa": true, "srl": true, "ltd": true,
	"limited": true, "gmbh": true, "ag": true, "inc": true, "llc": true, "plc": true, "cv": true, "cvba": true,
	"company": true, "group": true, "groep": true, "foundation": true, "stichting": true, "fondation": true,
	"university": true, "universiteit": true, "school": true, "college": true, "hospital": true, "ziekenhuis": true,
	"centre": true, "center": true, "centrum": true, "institute": true, "instituut": true, "association": true,
	"vereniging": true, "club": true, "council": true, "agency": true, "services": true, "solutions": true,
	"farm": true, "hoeve": true, "and": true, "en": true, "&": true, "trust": true, "partners": true,
	"bakkerij": true, "garage": true, "consult": true, "consulting": true, "design": true, "studio": true,
}

// givenNames are common given names in Belgium and its neighbours, enough to
// recognise "Firstname Lastname" and "LASTNAME Firstname".
var givenNames = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`
		jan peter pieter piet paul johan koen kris bart dirk geert luc marc frank filip wim tom tim stijn
		wouter jeroen joris thomas lukas lucas arthur louis noah jules victor matthias maarten michiel
		hans jos jef jozef frans willem hendrik gert guido patrick eric erik stefan steven stefaan
		jean pierre jacques michel philippe alain andre francois nicolas olivier christophe laurent
		marie anne annick an els ann katrien sofie sophie lies liesbeth sarah sara emma lotte julie
		lisa laura eva hanne nathalie isabelle veerle inge ilse griet hilde marleen martine christine
		nele elke karen kathleen caroline charlotte louise camille manon chloe claire helene
		maria jose juan carlos antonio manuel francisco javier miguel pedro luis ana carmen isabel
		giuseppe giovanni marco luca andrea francesca giulia alessandro matteo lorenzo
		hans klaus jurgen wolfgang michael andreas stephan markus sabine petra ursula
		john james robert william david richard joseph charles christopher daniel matthew mark
		mary patricia jennifer linda elizabeth susan jessica margaret emily
		trey christian sean patrick aoife siobhan niamh ciara declan liam conor
		piotr anna katarzyna tomasz pawel krzysztof agnieszka jakub mateusz
		ivan dimitri georgios nikos konstantinos eleni
	`) {
		m[n] = true
	}
	return m
}()
