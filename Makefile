# drsconform: `make conformance` runs the suite against the embedded reference
# implementation; `make test` runs the tests. Both need only Go.
GO       ?= go
PKGS     ?= ./...
REPORTS  ?= reports

.PHONY: all build test lint conformance interop bench fmt vet

all: lint test

build:
	$(GO) build -o bin/drsconform ./cmd/drsconform

test:
	@mkdir -p $(REPORTS)
	$(GO) tool gotestsum --format pkgname-and-test-fails --junitfile $(REPORTS)/unit-junit.xml -- -race -count=1 $(PKGS)
	@# The mutation kill matrix (79 runs of the whole suite) skips itself under -race: it runs here.
	$(GO) tool gotestsum --format pkgname-and-test-fails --junitfile $(REPORTS)/mutation-junit.xml -- -count=1 -run '^TestMutationKillMatrix$$' ./reference

lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) run ./cmd/drsconform lint

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

conformance:
	$(GO) run ./cmd/drsconform run --report-dir $(REPORTS)/conformance

# The real Huawei Cloud Go SDK against the reference implementation (a module of its own).
interop:
	cd interop/huaweicloud-sdk && $(GO) test -race -count=1 ./...

bench:
	./bench.sh
