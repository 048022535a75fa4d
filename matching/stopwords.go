package matching

// englishStopWords and dutchStopWords are function words that carry no topic.
// Words that are also meaningful in the other language ("men", "door",
// "over") are left out of the union used for removal.
var (
	englishStopWords = set(`a about above after again against all also am an and any are as at be because been
being before below between both but by can could did do does doing down during each either etc few for from
further had has have having he her here hers herself him himself his how however i if in into is it its itself
just may me might more most must my myself no nor not now of off on once only or other our ours ourselves out own
per same shall she should so some such than that the their theirs them themselves then there these they this
those through thus to too under until up upon us very via was we were what when where whether which while who
whom why will with within without would yet you your yours yourself e.g i.e eg ie will well also new`)

	dutchStopWords = set(`aan al alle alleen als altijd ander andere anders ben bij binnen dan dat de der deze die dit
doch doen dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik
in is ja je jij kan kon kunnen maar me meer mij mijn moet moeten na naar niet niets nog nu of om omdat onder ons
onze ook op te tegen toch toen tot u uit uw van veel voor want waren was wat we wel werd wie wij wil worden wordt
zal ze zei zelf zich zij zijn zo zonder zou zowel via per onze elk elke welke waar waarbij waarin daarbij daarom
hierbij verder tussen steeds sinds vanuit rond rondom`)

	stopWords = union(englishStopWords, dutchStopWords)
)

func set(list string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words(list) {
		m[w] = true
	}
	return m
}

func union(a, b map[string]bool) map[string]bool {
	m := make(map[string]bool, len(a)+len(b))
	for w := range a {
		m[w] = true
	}
	for w := range b {
		m[w] = true
	}
	return m
}
