# drsconform: `make conformance` runs the suite against the embedded reference
# implementation; `make test` runs the tests. Both need only Go.
GO       ?= go
PKGS     ?= ./...
REPORTS  ?= reports

.PHONY: all build test lint conformance interop bench fmt vet release docker

# make release: static binaries for each platform in $(DIST), the version set
# at link time (README.md, "Install"). VERSION defaults to the checkout's tag
# (git describe); set it to build another, e.g. make release VERSION=v1.2.0.
VERSION           ?= $(shell git describe --tags --always --dirty --match 'v*' 2>/dev/null)
RELEASE_PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64
DIST              ?= dist
# make docker: the image of Dockerfile, tagged $(IMAGE):$(VERSION); not part of
# make test or CI. DOCKER_BUILD_FLAGS passes more, e.g. --network host.
IMAGE             ?= drsconform
DOCKER            ?= docker
DOCKER_BUILD_FLAGS ?=

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

release:
	@if [ -z "$(VERSION)" ]; then echo "make release: no version: run it in a git checkout or set VERSION=vX.Y.Z" >&2; exit 2; fi
	@rm -f $(DIST)/drsconform-* $(DIST)/SHA256SUMS; mkdir -p $(DIST)
	@set -e; for p in $(RELEASE_PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; if [ "$$os" = windows ]; then ext=.exe; fi; \
	  out=$(DIST)/drsconform-$(VERSION)-$$os-$$arch$$ext; echo "$$out"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $$out ./cmd/drsconform; \
	done
	cd $(DIST) && sha256sum drsconform-* > SHA256SUMS

docker:
	$(DOCKER) build $(DOCKER_BUILD_FLAGS) --build-arg VERSION=$(VERSION) -t $(IMAGE):$(or $(VERSION),devel) .
