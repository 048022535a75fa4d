# fundmatch: run `make help` for the targets.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: help build test vet bench run fmt lint clean

help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/fundmatch (static)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/fundmatch ./cmd/fundmatch

test: vet ## go vet, then every test with the race detector (needs PostgreSQL and Redis)
	$(GO) test -race -count=1 ./...

vet: ## go vet ./...
	$(GO) vet ./...

bench: ## run the benchmarks (ingest, matching, planner, digests)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x ./...

run: ## run the whole stack in one process (fundmatch all) against local PostgreSQL and Redis
	$(GO) run ./cmd/fundmatch migrate
	$(GO) run ./cmd/fundmatch seed
	$(GO) run ./cmd/fundmatch all

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

lint: vet ## vet and check formatting
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

clean: ## remove build output
	rm -rf bin
