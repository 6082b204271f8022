# The two commands of the README: `make run` and `make test`. Each installs what is missing first.
SWIFT ?= swift

.PHONY: run test build bench deps clean

run: ## install what is missing, build in release mode, start the three-node loopback cluster
	./scripts/install-deps.sh run
	./scripts/build-release.sh --product rivulet
	./scripts/run-cluster.sh

test: ## install what is missing, build, run every test
	./scripts/install-deps.sh test
	$(SWIFT) build --build-tests
	# One test at a time: the suites start real database servers and real nodes, and timing assertions elsewhere
	# (keep-alive, deadlines) do not hold while all of them share two cores. About 2 minutes here.
	$(SWIFT) test --skip-build --no-parallel

build:
	./scripts/install-deps.sh run
	./scripts/build-release.sh --product rivulet

bench: ## benchmarks against their references (minutes; not part of `make test`)
	./scripts/install-deps.sh bench
	status=0; ./scripts/bench/http.sh || status=1; ./scripts/bench/gossip.sh || status=1; \
	  ./scripts/bench/templates.sh || status=1; \
	  PROFILE=loopback ./scripts/bench/detect.py || status=1; ./scripts/bench/detect.py || status=1; \
	  ./scripts/bench/state.py || status=1; ./scripts/bench/ingest.py || status=1; ./scripts/bench/replay.py || status=1; ./scripts/bench/sources.py || status=1; \
	  ./scripts/bench/connectors.py || status=1; exit $$status

clean:
	rm -rf .build data
