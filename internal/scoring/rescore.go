package scoring

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
)

// A full rescore: every city with a profile (or the cities named) against
// every call, in three steps. Cities whose inputs did not change since
// their last full scoring are passed over (scored_inputs); the others are
// scored on all cores and their matches written by savers meanwhile,
// without explanation; then the pairs among each city's best that need an
// explanation are explained call by call, each call's text analysed once
// for all the cities that asked.

// ScoreAll builds the model anew from every stored call and scores every
// city with a profile (or only the cities named) whose inputs changed
// since its last full scoring, and the front-runners of every call when
// they may have changed. progress, when set, is called after each city is
// scored and each call explained.
func (s *Service) ScoreAll(ctx context.Context, progress func(step Step, done, total int), slugs ...string) (Result, error) {
	return s.rescore(ctx, slugs, progress, nil)
}

// ScoreShard scores the cities named as ScoreAll does, with the kept model
// unless it was built before since (the time the full rescore this shard
// belongs to began): a full rescore split in shards builds the model once
// per worker, not once per shard.
func (s *Service) ScoreShard(ctx context.Context, slugs []string, since time.Time) (Result, error) {
	return s.rescore(ctx, slugs, nil, &since)
}

// frontRunnersScope is the scored_inputs scope of every call's
// front-runners; a city's is cityScope.
const frontRunnersScope = "front-runners"

func cityScope(id int64) string { return "city:" + strconv.FormatInt(id, 10) }

func (s *Service) rescore(ctx context.Context, slugs []string, progress func(Step, int, int), since *time.Time) (Result, error) {
	start, begin := s.now(), time.Now()
	kept, err := s.store.ScoredInputs(ctx)
	if err != nil {
		return Result{}, err
	}
	// What to score with: the kept model and queries when they are recent
	// enough, else every call and city read anew (the model built only if
	// some city needs scoring).
	var (
		m      *matching.Model
		refs   map[string]callRef
		apps   []applicant
		calls  []matching.Call
		cities []cityInputs
		corpus uint64
		front  uint64 // only read anew: a shard leaves front-runners to the cities it scores
	)
	s.mu.Lock()
	if since != nil && s.model != nil && s.apps != nil && !s.built.Before(*since) {
		m, refs, apps = s.model, s.calls, s.apps
	}
	s.mu.Unlock()
	if m != nil {
		corpus = m.CorpusHash()
		for _, a := range apps {
			cities = append(cities, cityInputs{a.id, a.query.Applicant})
		}
	} else {
		if calls, refs, err = s.loadCalls(ctx); err != nil {
			return Result{}, err
		}
		if cities, front, err = s.loadCities(ctx); err != nil {
			return Result{}, err
		}
		corpus = matching.CorpusHash(calls)
	}
	// A city's inputs: the model, every call, the city's profile and
	// history, and the day (deadlines come closer).
	day := start.UTC().Format(time.DateOnly)
	digest := func(h uint64) string { return fmt.Sprintf("%s %016x %016x %s", matching.ModelVersion, corpus, h, day) }
	res := Result{Calls: len(calls)}
	if m != nil {
		res.Calls = m.Len()
	}
	var todo []string
	prints := map[string]string{}
	named := 0
	for _, c := range cities {
		if len(slugs) > 0 && !slices.Contains(slugs, c.app.City.Slug) {
			continue
		}
		named++
		p := digest(matching.ApplicantHash(&c.app))
		if kept[cityScope(c.id)] == p {
			res.Unchanged++
			continue
		}
		todo = append(todo, c.app.City.Slug)
		prints[cityScope(c.id)] = p
	}
	if len(slugs) > 0 && named == 0 {
		return Result{}, fmt.Errorf("%v: %w", slugs, ErrNoCity)
	}
	frontDue := len(slugs) == 0 && kept[frontRunnersScope] != digest(front)
	if len(todo) == 0 && !frontDue {
		return res, nil
	}
	if m == nil {
		read := time.Since(begin)
		s.load.Lock()
		m, apps, err = s.install(calls, refs, cities, start)
		s.load.Unlock()
		if err != nil {
			return res, err
		}
		s.logger.Debug("model built", "calls", m.Len(), "cities", len(apps),
			"read", read.Round(time.Millisecond), "built", (time.Since(begin) - read).Round(time.Millisecond))
	}
	scopes := slices.Collect(maps.Keys(prints))
	if frontDue {
		scopes = append(scopes, frontRunnersScope)
	}
	if err := s.store.ForgetScoredInputs(ctx, scopes...); err != nil {
		return res, err
	}
	if len(todo) > 0 {
		r, err := s.scoreCities(ctx, m, refs, apps, progress, todo)
		res.add(r)
		if err != nil {
			return res, err
		}
	}
	front0 := time.Now()
	switch {
	case frontDue:
		res.FrontRunners, err = s.saveFrontRunners(ctx, m, refs, nil, nil)
		prints[frontRunnersScope] = digest(front)
	case len(slugs) > 0:
		res.FrontRunners, err = s.saveFrontRunners(ctx, m, refs, nil, todo)
	}
	if err != nil {
		return res, err
	}
	if frontDue || len(slugs) > 0 {
		s.logger.Debug("front-runners saved", "changed", res.FrontRunners, "took", time.Since(front0).Round(time.Millisecond))
	}
	return res, s.store.SaveScoredInputs(ctx, prints, s.now())
}

// scoreCities scores the cities of apps named by slugs (all without) and
// stores their matches, in two steps. Scoring hands each city's matches to
// savers that write what changed without explanation; the pairs among the
// cities' best that need one are gathered by call, and explained and
// written afterwards, each call's text analysed once for all its cities.
func (s *Service) scoreCities(ctx context.Context, m *matching.Model, refs map[string]callRef, apps []applicant,
	progress func(Step, int, int), slugs []string) (Result, error) {
	apps = slices.Clone(only(apps, slugs))
	if len(slugs) > 0 && len(apps) == 0 {
		return Result{}, fmt.Errorf("%v: %w", slugs, ErrNoCity)
	}
	// Cities go in the order of their ids, the order of the index that
	// pages their matches (matches_city_score_call): into an empty table
	// each city's rows then land at or near the end of the index, whose
	// pages split full, not halfway as they do for rows between two
	// cities already written (the index was 331 MB in slug order, 253 MB
	// in id order, for 2.3 M rows).
	slices.SortFunc(apps, func(a, b applicant) int { return cmp.Compare(a.id, b.id) })
	if progress == nil {
		progress = func(Step, int, int) {}
	}
	queries := make([]*matching.CityQuery, len(apps))
	index := make(map[*matching.CityQuery]int, len(apps))
	for i, a := range apps {
		queries[i], index[a.query] = a.query, i
	}
	res := Result{Calls: m.Len()}
	now := s.now()
	begin := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type scored struct {
		app int
		ms  []matching.Match
	}
	work := make(chan scored, savers)
	var (
		mu   sync.Mutex // guards res and asks
		asks = map[string][]ask{}
		wg   sync.WaitGroup
	)
	for range savers {
		wg.Go(func() {
			var rows []store.MatchRow // the new rows of a city, reused by the next
			for sc := range work {
				r, want, err := s.save(ctx, refs, &apps[sc.app], sc.app, sc.ms, now, &rows)
				matching.Recycle(sc.ms)
				if err != nil {
					cancel(err)
					return
				}
				mu.Lock()
				res.add(r)
				for _, w := range want {
					asks[w.call] = append(asks[w.call], w.ask)
				}
				progress(StepScore, res.Cities, len(apps))
				mu.Unlock()
			}
		})
	}
	err := m.ScoreCities(ctx, queries, now, func(q *matching.CityQuery, ms []matching.Match) error {
		select {
		case work <- scored{index[q], ms}:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	})
	close(work)
	wg.Wait()
	if cause := context.Cause(ctx); err == nil && cause != nil {
		err = cause
	}
	s.remember(m, apps)
	if err != nil {
		return res, err
	}
	scoring := time.Since(begin)
	written, err := s.explainAsked(ctx, m, refs, apps, asks, now, progress)
	res.Written += written
	s.logger.Debug("cities scored", "cities", res.Cities, "written", res.Written, "explained calls", len(asks),
		"scoring", scoring.Round(time.Millisecond), "explaining", (time.Since(begin) - scoring).Round(time.Millisecond))
	return res, err
}

// Step names the part of a scoring run that progress reports on.
type Step string

const (
	StepScore   Step = "score"   // cities scored and their matches stored
	StepExplain Step = "explain" // calls explained for the cities that have them among their best
)

// savers is how many cities' matches are written at once while others are
// scored: one writes while PostgreSQL takes in another's.
const savers = 2

// ask is a city (by its place in the run's applicants) asking for a call's
// explanation, and whether the pair is stored already.
type ask struct {
	app    int
	stored bool
}

// explainAsked explains every call asked for, for the cities that asked,
// and writes the explained matches, with workers explaining while one
// writes. It returns how many rows it wrote.
func (s *Service) explainAsked(ctx context.Context, m *matching.Model, refs map[string]callRef, apps []applicant,
	asks map[string][]ask, now time.Time, progress func(Step, int, int)) (int, error) {
	if len(asks) == 0 {
		return 0, nil
	}
	calls := slices.Sorted(maps.Keys(asks))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan string)
	go func() {
		defer close(next)
		for _, id := range calls {
			select {
			case next <- id:
			case <-ctx.Done():
				return
			}
		}
	}()
	// Each worker explains calls and writes its rows every batch of them
	// (a transaction per batch, not per call): while one waits for
	// PostgreSQL, the other explains.
	const batch = 2000
	var (
		mu      sync.Mutex // guards written and done
		written int
		done    int
		wg      sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var w store.MatchWrite
			flush := func() error {
				n, _, err := s.store.SaveMatches(ctx, w)
				w = store.MatchWrite{}
				mu.Lock()
				written += n
				mu.Unlock()
				return err
			}
			for id := range next {
				cw, err := explainedRows(m, refs[id], id, apps, asks[id], now)
				if err != nil {
					cancel(err)
					return
				}
				w.New, w.Changed = append(w.New, cw.New...), append(w.Changed, cw.Changed...)
				mu.Lock()
				done++
				progress(StepExplain, done, len(calls))
				mu.Unlock()
				if len(w.New)+len(w.Changed) >= batch {
					if err := flush(); err != nil {
						cancel(err)
						return
					}
				}
			}
			if err := flush(); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	return written, context.Cause(ctx)
}

// explainedRows explains one call for the cities that asked, as rows.
func explainedRows(m *matching.Model, ref callRef, id string, apps []applicant, asked []ask, now time.Time) (store.MatchWrite, error) {
	qs := make([]*matching.CityQuery, len(asked))
	for i, a := range asked {
		qs[i] = apps[a.app].query
	}
	es, err := m.ExplainCities(id, qs, now)
	if err != nil {
		return store.MatchWrite{}, err
	}
	var w store.MatchWrite
	for i, a := range asked {
		row, err := explainedRow(ref, apps[a.app].id, es[i])
		if err != nil {
			return w, err
		}
		if a.stored {
			w.Changed = append(w.Changed, row)
		} else {
			w.New = append(w.New, row)
		}
	}
	return w, nil
}

// worstFirst is a heap of matches whose top is the one ranking last.
type worstFirst []*matching.Match

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return ranksBefore(h[j], h[i]) }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(*matching.Match)) }
func (h *worstFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// best picks the k stored matches of ms that rank first, by a bounded heap
// (a city's 20,000 matches are not sorted to find them), and the last of
// them when there are k (nil when fewer: every stored match is among them).
func best(ms []matching.Match, k int) (map[string]bool, *matching.Match) {
	h := make(worstFirst, 0, k)
	for i := range ms {
		mt := &ms[i]
		if !keep(mt) {
			continue
		}
		if len(h) < k {
			heap.Push(&h, mt)
		} else if ranksBefore(mt, h[0]) {
			h[0] = mt
			heap.Fix(&h, 0)
		}
	}
	out := make(map[string]bool, len(h))
	for _, mt := range h {
		out[mt.Call] = true
	}
	if len(h) < k {
		return out, nil
	}
	worst := *h[0]
	return out, &worst
}

// save stores one city's matches that need no explanation, and returns the
// calls among the city's best explainMax whose stored row lacks one or is
// out of date, to be explained with the other cities that asked. Unchanged
// pairs are skipped before any work; a stored pair that fell below the
// floor is removed.
//
// rows is room for the new rows, kept from one call to the next: a city's
// are some 2 MB, written and then done with.
func (s *Service) save(ctx context.Context, refs map[string]callRef, a *applicant, app int, ms []matching.Match,
	now time.Time, rows *[]store.MatchRow) (Result, []callAsk, error) {
	stored, err := s.store.StoredMatches(ctx, a.id)
	if err != nil {
		return Result{}, nil, err
	}
	explain, worst := best(ms, explainMax)
	a.worst = worst
	w := store.MatchWrite{New: (*rows)[:0]}
	var asks []callAsk
	for i := range ms {
		mt := &ms[i]
		kept := keep(mt)
		if !kept && len(stored) == 0 {
			continue // most pairs, and nothing of the city's to remove
		}
		ref, ok := refs[mt.Call]
		if !ok {
			continue
		}
		prev, had := stored[ref.id]
		if !kept {
			if had {
				w.Drop = append(w.Drop, store.MatchKey{CallID: ref.id, CityID: a.id})
			}
			continue
		}
		hash := strconv.FormatUint(mt.InputHash, 10)
		unchanged := had && prev.InputHash == hash && prev.ModelVersion == matching.ModelVersion
		explained := explain[mt.Call]
		if unchanged && (prev.HasExplanation || !explained) {
			continue
		}
		if explained {
			asks = append(asks, callAsk{mt.Call, ask{app, had}})
			continue
		}
		row, err := matchRow(ref, a.id, mt)
		if err != nil {
			return Result{}, nil, err
		}
		if had {
			w.Changed = append(w.Changed, row)
		} else {
			w.New = append(w.New, row)
		}
	}
	written, removed, err := s.store.SaveMatches(ctx, w)
	*rows = w.New[:0]
	return Result{Cities: 1, Pairs: len(ms), Written: written, Removed: removed}, asks, err
}

// callAsk is a city's ask for one call's explanation.
type callAsk struct {
	call string
	ask
}
