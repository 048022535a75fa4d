package matching_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/matching"
)

// A Dutch profile finds an English call through the concept vocabulary (a
// no fit yet: both keywords name one concept, found only in the description); a
// call on another theme scores 0, and a call only start-ups may apply to is
// ranked last, with its reason.
func Example() {
	vocab, err := matching.ParseVocabulary(strings.NewReader("id\tdomain\tnl\ten\n" +
		"air-quality\tenvironment\tluchtkwaliteit|fijnstof\tair quality|air pollution\n" +
		"shared-mobility\tmobility\tdeelmobiliteit|deelfietsen\tshared mobility|bike sharing\n"))
	if err != nil {
		log.Fatal(err)
	}
	deadline := time.Date(2027, 4, 15, 0, 0, 0, 0, time.UTC)
	calls := []matching.Call{
		{Identifier: "LIFE-AIR", Programme: "LIFE", Status: matching.StatusOpen, Deadlines: []time.Time{deadline},
			Title: "Clean air in cities", Description: "Municipalities reduce air pollution near schools."},
		{Identifier: "START-UP-AIR", Programme: "SMP", Status: matching.StatusOpen, Deadlines: []time.Time{deadline},
			Title: "Scale-up grants for start-ups", Description: "Start-ups selling air quality sensors."},
		{Identifier: "CEF-BIKES", Programme: "CEF", Status: matching.StatusOpen, Deadlines: []time.Time{deadline},
			Title: "Bike sharing along urban nodes", Description: "Shared mobility hubs in urban nodes."},
	}
	model, err := matching.NewModel(calls, matching.Options{Vocabulary: vocab})
	if err != nil {
		log.Fatal(err)
	}
	gent := model.Query(matching.Applicant{
		City:    matching.City{Slug: "gent", Name: "Gent", Province: "Oost-Vlaanderen", Arrondissement: "Gent", Population: 265000},
		Profile: matching.Profile{City: "gent", KeywordsNL: []string{"luchtkwaliteit", "fijnstof"}},
	})
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	matches, err := model.ScoreCity(context.Background(), gent, now)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range matches {
		fmt.Println(m.Call, m.Eligibility, m.Score)
		for _, r := range m.Reasons {
			fmt.Println("  ", r.Code+":", r.EN)
		}
	}
	// Output:
	// LIFE-AIR eligible 39
	// CEF-BIKES eligible 0
	// START-UP-AIR ineligible 0
	//    local-authorities-cannot-apply: Only for other applicants ("start-ups" in the title).
}
