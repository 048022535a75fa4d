package matching

import (
	"math"
	"slices"
)

// BM25F parameters. Title words count three times a description word,
// keywords and tags twice; k1 saturates repeated terms.
const (
	bm25K1 = 1.2
)

// field is one weighted part of a call's text.
type field struct {
	weight float64
	b      float64 // length normalisation strength
}

const (
	fieldTitle = iota
	fieldKeywords
	fieldDescription
	numFields
)

var fields = [numFields]field{
	fieldTitle:       {weight: 3, b: 0.5},
	fieldKeywords:    {weight: 2, b: 0.5},
	fieldDescription: {weight: 1, b: 0.75},
}

// posting is one call containing a term, with the term's saturated BM25F
// weight tf/(k1+tf) already computed, so scoring is a multiply-add.
type posting struct {
	doc int32
	w   float32
}

// index is an inverted index from term ids to postings over the calls of a
// model, with the field statistics BM25F needs.
type index struct {
	ids      map[string]int32 // term -> id
	postings [][]posting      // by term id
	fieldLen [numFields]float64
	docs     int // documents counted in fieldLen
}

func newIndex() *index {
	return &index{ids: map[string]int32{}}
}

// termID returns the id of term, adding it to the dictionary when new.
func (ix *index) termID(term string) int32 {
	id, ok := ix.ids[term]
	if !ok {
		id = int32(len(ix.postings))
		ix.ids[term] = id
		ix.postings = append(ix.postings, nil)
	}
	return id
}

// termWeight is a term of one document with its saturated BM25F weight.
type termWeight struct {
	id int32
	w  float32
}

// count adds (n = 1) or removes (n = -1) a document's field lengths to the
// statistics BM25F normalises by.
func (ix *index) count(lengths [numFields]int, n int) {
	ix.docs += n
	for f, l := range lengths {
		ix.fieldLen[f] += float64(n * l)
	}
}

// termWeights computes the saturated BM25F term weights of a counted
// document from its analysed fields, sorted by term id.
func (ix *index) termWeights(fs [numFields]analysis) []termWeight {
	tf := map[int32]float64{}
	for f, a := range fs {
		avg := ix.fieldLen[f] / float64(ix.docs)
		norm := 1.0
		if avg > 0 {
			norm = 1 - fields[f].b + fields[f].b*float64(a.length)/avg
		}
		if norm < 0.1 {
			norm = 0.1
		}
		for _, t := range a.terms {
			tf[ix.termID(t)] += fields[f].weight / norm
		}
	}
	ws := make([]termWeight, 0, len(tf))
	for id, x := range tf {
		ws = append(ws, termWeight{id: id, w: float32(x / (bm25K1 + x))})
	}
	slices.SortFunc(ws, func(a, b termWeight) int { return int(a.id - b.id) })
	return ws
}

// add records a document's term weights in the postings.
func (ix *index) add(doc int32, weights []termWeight) {
	for _, t := range weights {
		ix.postings[t.id] = append(ix.postings[t.id], posting{doc: doc, w: t.w})
	}
}

// remove deletes a document's postings (when a call is replaced).
func (ix *index) remove(doc int32, weights []termWeight) {
	for _, t := range weights {
		ix.postings[t.id] = slices.DeleteFunc(ix.postings[t.id], func(p posting) bool { return p.doc == doc })
	}
}

// idf is the BM25 inverse document frequency of a term found in n of the
// live documents.
func idf(n, live int) float64 {
	return math.Log(1 + (float64(live)-float64(n)+0.5)/(float64(n)+0.5))
}

// queryTerm is a resolved term of a query with its weight; queries are kept
// sorted by term id.
type queryTerm struct {
	id     int32
	weight float64
}

// A past project is a short text, and resembles a call when it matches
// about projectHits of its average terms (see similarityScale).
const projectHits = 4

// mass returns the weighted idf of a query's terms that occur in some call,
// and how many they are: words no call uses (a Dutch stem among English
// calls) do not count.
func (ix *index) mass(q []queryTerm, live int) (float64, int) {
	var sum float64
	n := 0
	for _, t := range q {
		if ps := ix.postings[t.id]; len(ps) > 0 {
			sum += t.weight * idf(len(ps), live)
			n++
		}
	}
	return sum, n
}

// similarityScale is the project score at which similarity is 1-1/e.
func (ix *index) similarityScale(q []queryTerm, live int) float64 {
	sum, n := ix.mass(q, live)
	if n == 0 {
		return 0
	}
	return min(projectHits, float64(n)) * sum / float64(n)
}

// accumulate adds the BM25F score of every live document for the query to
// acc, which must have one entry per document.
func (ix *index) accumulate(q []queryTerm, live int, acc []float32) {
	for _, t := range q {
		ps := ix.postings[t.id]
		if len(ps) == 0 {
			continue
		}
		qw := float32(t.weight * idf(len(ps), live))
		for _, p := range ps {
			acc[p.doc] += qw * p.w
		}
	}
}

// scoreDoc is the BM25F score of one document given its term weights, by a
// merge of the two id-sorted lists.
func (ix *index) scoreDoc(q []queryTerm, live int, doc []termWeight) float64 {
	var s float64
	for i, j := 0, 0; i < len(q) && j < len(doc); {
		switch {
		case q[i].id < doc[j].id:
			i++
		case q[i].id > doc[j].id:
			j++
		default:
			s += q[i].weight * idf(len(ix.postings[q[i].id]), live) * float64(doc[j].w)
			i++
			j++
		}
	}
	return s
}
