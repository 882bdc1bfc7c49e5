# shardis — common tasks. `make test` is what CI runs.
GO        ?= go
PKGS      := ./...
FUZZTIME  ?= 30s

.PHONY: all build run test race unit fuzz bench bench-go lint generate clean

all: lint test build

build:
	$(GO) build -o bin/shardis ./cmd/shardis

run:
	$(GO) run ./cmd/shardis

# Every test, with the race detector. The differential and end-to-end tests
# need redis-server / redis-cli (apt-get install redis-server redis-tools);
# without them those tests skip with a message saying so.
test:
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./proxy/wire/
	$(GO) test -run '^$$' -fuzz FuzzRestorePayload -fuzztime $(FUZZTIME) ./storage/

# Side-by-side redis-benchmark against shardis, redis-server and (when
# nutcracker is installed) twemproxy over 4 redis-servers.
bench: build
	./scripts/bench.sh

# Micro-benchmarks of the parser and the GET/SET dispatch path.
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./proxy/... ./storage/ ./router/

lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

generate:
	$(GO) generate ./router

clean:
	rm -rf bin
