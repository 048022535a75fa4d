package cordis_test

import (
	"fmt"
	"log"
	"os"

	"github.com/fundmatch/fundmatch/euhistory"
	"github.com/fundmatch/fundmatch/euhistory/cordis"
	"github.com/fundmatch/fundmatch/euhistory/resolve"
)

// The whole CORDIS import: open the dump, keep the projects in which a
// Flemish city certainly took part, resolve every participant and derive
// the facts to store. Uncertain resolutions would go to the review list.
func Example() {
	f, err := os.Open("../resolve/testdata/municipalities.csv")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	municipalities, err := resolve.ReadMunicipalities(f)
	if err != nil {
		log.Fatal(err)
	}
	resolver, err := resolve.New(municipalities, resolve.Decisions{}) // the admins' stored decisions
	if err != nil {
		log.Fatal(err)
	}
	city := func(pt cordis.Participation) string {
		res := resolver.Resolve(pt.Party())
		if res.Decision != resolve.Certain {
			return ""
		}
		return res.Slug
	}

	dump, err := cordis.Open("testdata/csv") // or cordis-HORIZONprojects-csv.zip
	if err != nil {
		log.Fatal(err)
	}
	defer dump.Close()
	err = dump.Collect(func(pt cordis.Participation) bool { return city(pt) != "" },
		func(p cordis.Project, pts []cordis.Participation) error {
			partners := make([]euhistory.Partner, len(pts))
			for i, pt := range pts {
				partners[i] = pt.Partner(city(pt))
			}
			facts := euhistory.Derive(p.History(), partners)
			for _, u := range facts.Uptake {
				fmt.Printf("%s %s/%s %s %d %s %.2f\n", u.City, u.Source, u.SourceID, u.Programme, u.Year, u.Role, *u.EUContribution)
			}
			return nil
		})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// antwerpen cordis/101060884 HORIZON 2022 partner 150000.50
	// gent cordis/101060884 HORIZON 2022 partner 187500.00
	// leuven cordis/101060884 HORIZON 2022 partner 99000.25
	// antwerpen cordis/792210 H2020 2018 lead 450000.00
}
