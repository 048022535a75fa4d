# fundmatch: run `make help` for the targets.
GO      ?= go
# make fuzz: how long each fuzz target runs, and extra flags (e.g. -parallel 1).
FUZZTIME  ?= 30s
FUZZFLAGS ?=
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: help build test vet bench bench-scale fuzz run fmt lint clean

help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/fundmatch (static)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/fundmatch ./cmd/fundmatch

test: vet ## go vet, then every test with the race detector (needs PostgreSQL and Redis)
	$(GO) test -race -count=1 ./...

vet: ## go vet ./...
	$(GO) vet ./...

bench: ## run the benchmarks (ingest, matching, planner, digests; the real path at scale with FUNDMATCH_BENCH_SCALE=1)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x ./...

# The real path at 300 municipalities and 20,000 calls, each beside its
# in-memory counterpart; every benchmark sets up its own data (a minute or more).
bench-scale: ## the real-path benchmarks at 300 municipalities x 20,000 calls, 3 samples each
	FUNDMATCH_BENCH_SCALE=1 $(GO) test -run '^$$' -bench 'Scale' -benchtime 1x -count 3 -timeout 3h ./internal/scoring/
	$(GO) test -run '^$$' -bench 'CityMatchesAPI' -benchtime 1x -count 3 -timeout 1h ./internal/web/

fuzz: ## fuzz every parser of outside data, one target after another, FUZZTIME each (default 30s)
	@grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | \
	sed -E 's|^(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*)\(.*|\1 \2|' | sort | \
	while read -r pkg target; do \
		echo "== $$pkg $$target"; \
		$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s $(FUZZFLAGS) $$pkg || exit 1; \
	done

run: ## run the whole stack in one process (fundmatch all) against local PostgreSQL and Redis
	$(GO) run ./cmd/fundmatch migrate
	$(GO) run ./cmd/fundmatch seed
	$(GO) run ./cmd/fundmatch all

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

lint: vet ## go vet, gofmt, staticcheck and deadcode (the tools are pinned in go.mod)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) tool staticcheck ./...
	@# deadcode reports and exits 0; any unreachable function fails the lint.
	@# -test: what only tests use (testdb, calltest) counts as used.
	@out="$$($(GO) tool deadcode -test ./...)" && test -z "$$out" || { echo "$$out"; echo "deadcode: unreachable functions (delete them)"; exit 1; }

clean: ## remove build output
	rm -rf bin
