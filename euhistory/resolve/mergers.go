package resolve

// Merger is one former municipality absorbed on 1 January 2025 into a new
// (or enlarged) one, which may have a new NIS code.
type Merger struct {
	OldNIS   string
	OldNames []string // Dutch name first, then other official names
	NewNIS   string
	NewName  string
}

// Mergers2025 are the Flemish municipal mergers in force on 1 January 2025
// (decree of the Flemish Parliament of April 2024; NIS codes from Statbel's
// REFNIS list): 27 former municipalities in 13 merged ones. Old codes that
// are also the new one (Antwerpen 11002) are not listed. History imported
// from before 2025 names the former municipality; the resolver credits the
// merged one.
var Mergers2025 = []Merger{
	{"11007", []string{"Borsbeek"}, "11002", "Antwerpen"},
	{"23023", []string{"Galmaarden", "Gammerages"}, "23106", "Pajottegem"},
	{"23024", []string{"Gooik"}, "23106", "Pajottegem"},
	{"23032", []string{"Herne"}, "23106", "Pajottegem"},
	{"37012", []string{"Ruiselede"}, "37021", "Wingene"},
	{"37018", []string{"Wingene"}, "37021", "Wingene"},
	{"37007", []string{"Meulebeke"}, "37022", "Tielt"},
	{"37015", []string{"Tielt"}, "37022", "Tielt"},
	{"44012", []string{"De Pinte"}, "44086", "Nazareth-De Pinte"},
	{"44048", []string{"Nazareth"}, "44086", "Nazareth-De Pinte"},
	{"44034", []string{"Lochristi"}, "44087", "Lochristi"},
	{"44073", []string{"Wachtebeke"}, "44087", "Lochristi"},
	{"44040", []string{"Melle"}, "44088", "Merelbeke-Melle"},
	{"44043", []string{"Merelbeke"}, "44088", "Merelbeke-Melle"},
	{"46014", []string{"Lokeren"}, "46029", "Lokeren"},
	{"44045", []string{"Moerbeke"}, "46029", "Lokeren"},
	{"46003", []string{"Beveren"}, "46030", "Beveren-Kruibeke-Zwijndrecht"},
	{"46013", []string{"Kruibeke"}, "46030", "Beveren-Kruibeke-Zwijndrecht"},
	{"11056", []string{"Zwijndrecht"}, "46030", "Beveren-Kruibeke-Zwijndrecht"},
	{"73006", []string{"Bilzen"}, "73110", "Bilzen-Hoeselt"},
	{"73032", []string{"Hoeselt"}, "73110", "Bilzen-Hoeselt"},
	{"73009", []string{"Borgloon", "Looz"}, "73111", "Tongeren-Borgloon"},
	{"73083", []string{"Tongeren", "Tongres"}, "73111", "Tongeren-Borgloon"},
	{"71057", []string{"Tessenderlo"}, "71071", "Tessenderlo-Ham"},
	{"71069", []string{"Ham"}, "71071", "Tessenderlo-Ham"},
	{"71022", []string{"Hasselt"}, "71072", "Hasselt"},
	{"73040", []string{"Kortessem"}, "71072", "Hasselt"},
}

// MergedInto returns the merger that absorbed the municipality with NIS code
// nis, and false when nis is not a former municipality's code.
func MergedInto(nis string) (Merger, bool) {
	for _, m := range Mergers2025 {
		if m.OldNIS == nis {
			return m, true
		}
	}
	return Merger{}, false
}

// successor returns the code a municipality has since the 2025 mergers:
// nis itself, or the merged municipality's code for a former one.
func successor(nis string) string {
	if m, ok := MergedInto(nis); ok {
		return m.NewNIS
	}
	return nis
}

// nuts3OfArrondissement is the NUTS-3 region (NUTS 2024) of each Flemish
// arrondissement, keyed by the first two digits of its municipalities' NIS
// codes: a former municipality's NUTS-3 is that of its old arrondissement
// (Zwijndrecht was in BE211, Moerbeke in BE234, Kortessem in BE223).
var nuts3OfArrondissement = map[string]string{
	"11": "BE211", "12": "BE212", "13": "BE213", "23": "BE241", "24": "BE242",
	"31": "BE251", "32": "BE252", "33": "BE253", "34": "BE254", "35": "BE255", "36": "BE256", "37": "BE257", "38": "BE258",
	"41": "BE231", "42": "BE232", "43": "BE233", "44": "BE234", "45": "BE235", "46": "BE236",
	"71": "BE221", "72": "BE222", "73": "BE223",
}
