package matching

import "math"

// Experience is scored from the city's past projects: each project is a
// query against the calls, and the best match is the evidence ("resembles
// your 2022 project ..."). Earlier participation in the call's programme
// adds a fixed part. Both are bounded so experience can only modulate
// relevance, never replace it.
const (
	experienceSimilarity = 0.75 // weight of the best project similarity
	experienceProgramme  = 0.25 // weight of earlier participation in the programme
)

func experience(bestSimilarity float64, sameProgramme bool) float64 {
	e := experienceSimilarity * bestSimilarity
	if sameProgramme {
		e += experienceProgramme
	}
	return math.Min(1, e)
}
