# Tessera — see README.md. Everything here works on a fresh clone.
GO        ?= go
BIN       ?= bin/tessera
DATA      ?= data
ADDR      ?= localhost:8080
PKGS      := ./...

.PHONY: run build test test-sqlite bench lint fmt vet staticcheck clean

## run: build, migrate a SQLite file, load the demo on first start, serve on http://$(ADDR)
run: build
	@mkdir -p $(DATA)
	TESSERA_DATABASE_URL=$${TESSERA_DATABASE_URL:-sqlite://$(DATA)/tessera.db} ./$(BIN) serve --addr $(ADDR) --demo

## build: compile the binary into bin/
build:
	$(GO) build -trimpath -o $(BIN) ./cmd/tessera

## test: every test, on SQLite and PostgreSQL (TESSERA_TEST_POSTGRES_URL, default the local server)
test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 20m $(PKGS)

## test-sqlite: a quick loop without PostgreSQL
test-sqlite:
	TESSERA_TEST_ENGINES=sqlite $(GO) test -count=1 $(PKGS)

## bench: Go benchmarks of the hot paths on both engines (see docs/BENCHMARKS.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m $(PKGS)

## lint: gofmt, go vet and staticcheck
lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

clean:
	rm -rf bin
