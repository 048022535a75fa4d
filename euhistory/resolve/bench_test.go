package resolve

import "testing"

func BenchmarkResolve(b *testing.B) {
	r := mustResolver(b, nil)
	parties := []Party{
		{Name: "STAD GENT", Country: "BE", PostCode: "9000", NUTS: "BE234", ActivityType: "PUB"},
		{Name: "ETHNIKO KAI KAPODISTRIAKO PANEPISTIMIO ATHINON", Country: "EL", NUTS: "EL303"},
		{Name: "UNIVERSITEIT GENT", Country: "BE", PostCode: "9000", NUTS: "BE234"},
		{Name: "COMET GLOBAL INNOVATION, SL", Country: "ES"},
	}
	for b.Loop() {
		for _, p := range parties {
			r.Resolve(p)
		}
	}
}
