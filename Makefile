# The front door. `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# Go tools `make lint` builds from their modules (.ci/go-tool.sh caches them by version)
ACTIONLINT := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
KREW_VALIDATE := sigs.k8s.io/krew/cmd/validate-krew-manifest@v0.4.3

.PHONY: install demo test unit integration lint fmt record record-history cluster-binaries kind-images clean \
	helm system-deps screenshot proto bench bench-journal bench-history bench-recorder bench-loopback bench-stretch bench-startup test-matrix dist \
	docs docs-reference docs-examples

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# pip 25.1 is the first to install PEP 735 dependency groups (--group)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(BIN)/python -m pip install --quiet -e '.[postgresql]' --group dev
	@# the HTTP fault proxy in a venv of its own: its h11 pin clashes with the mcp SDK's
	$(PYTHON) -m venv $(VENV)/mitmproxy
	$(VENV)/mitmproxy/bin/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(VENV)/mitmproxy/bin/python -m pip install --quiet --group faultproxy
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install kube-inspect with its dev tools

demo: install  ## print the sample from its snapshot at once, then start a throwaway sample cluster, `kube-inspect tree` it, stop it
	$(BIN)/python -m tests.clusters.demo

test: install lint system-deps helm  ## lint, types, unit tests and integration tests on a real cluster
	@# where both backends run, their halves run at once (tests/suite.py); else plain pytest
	$(BIN)/python -m tests.suite $(PYTEST_ARGS)

unit: install
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

integration: install system-deps
	$(BIN)/python -m pytest tests/integration $(PYTEST_ARGS)

proto: install  ## regenerate kube_inspect/kube/k8s_proto/k8s_narrow_pb2.py from its .proto
	$(BIN)/python -m grpc_tools.protoc -I. --python_out=. kube_inspect/kube/k8s_proto/k8s_narrow.proto

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports  # the rooms of kube_inspect/ and what each may import (pyproject.toml)
	@# the house figures: modules over ~400 lines, functions over ~60 (printed, never failing)
	$(BIN)/python .ci/house_figures.py kube_inspect bench
	@# the manual (mkdocs.yml, docs/): a broken link, a page left out of nav... fails
	@site=$$(mktemp -d) && $(BIN)/mkdocs build --strict --quiet --site-dir "$$site"; \
		rc=$$?; rm -rf "$$site"; exit $$rc
	"$$(bash .ci/go-tool.sh actionlint $(ACTIONLINT))" .github/workflows/*.yml
	@# krew's validator logs every step to stderr: show it only when it fails
	@out=$$("$$(bash .ci/go-tool.sh validate-krew-manifest $(KREW_VALIDATE))" \
		-manifest krew/inspect.yaml -skip-install 2>&1) || { echo "$$out"; exit 1; }; \
		echo "krew/inspect.yaml: krew's validate-krew-manifest accepts it"

docs: install  ## build the manual (docs/, mkdocs.yml) into site/ and serve nothing: open site/index.html
	$(BIN)/mkdocs build --strict --site-dir site

record-history: install  ## re-record tests/fixtures/history/story.json: an incident's watch events, from a local cluster
	$(BIN)/python -m tests.clusters.story

docs-reference: install  ## rewrite docs/reference.md from each command's --help (a unit test fails when stale)
	$(BIN)/python -m tests.docs.reference

docs-examples: install  ## rewrite the docs' `<!-- examples: output -->` transcripts with what they print
	$(BIN)/python -m tests.docs.examples

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-matrix: install system-deps  ## the integration suite on the local backend, once per Kubernetes version
	$(BIN)/python -m tests.clusters.matrix $(PYTEST_ARGS)

dist: install  ## the wheel and sdist users install (twine-checked) and the krew archive, in dist/
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*
	$(BIN)/python -m krew.krew_archive dist

record: install  ## re-record tests/fixtures/recorded and the sample snapshot from a real sample cluster
	$(BIN)/python -m tests.clusters.record
	$(BIN)/python -m tests.clusters.record --dra

helm: install  ## build (or find cached) helm v4 from its Go module, for deploy/chart/'s tests (~4 CPU-minutes cold)
	$(BIN)/python -m tests.clusters.helm

system-deps:  ## chromium, graphviz (apt-get), mermaid.min.js (npm) for the picture tests
	bash .ci/install-system-deps.sh

screenshot: install system-deps  ## re-take docs/img/sample-cluster.png from the browser test
	KUBE_INSPECT_SCREENSHOT_TO=docs/img/sample-cluster.png $(BIN)/python -m pytest \
		tests/integration/test_pictures.py -k browser $(PYTEST_ARGS)

bench: install  ## 15 to 30,000 pods, on loopback and 3 links (toxiproxy): tree, kubectl, curl floors
	$(BIN)/python -m bench.run --points 15,3000,10000,30000 --nodes 1000 --runs 5 --profiles all --name links
	$(BIN)/python -m bench.journal --pods 10000 --nodes 1000 --hours 24 --runs 5
	$(BIN)/python -m bench.history --pods 10000 --nodes 1000 --hours 24 --runs 5
	$(BIN)/python -m bench.recorder --pods 10000 --nodes 100 --seconds 120

bench-journal: install  ## the journal: --from JOURNAL --at T against --from SNAPSHOT, 10,000 pods, a day of changes
	$(BIN)/python -m bench.journal --pods 10000 --nodes 1000 --hours 24 --runs 5

bench-history: install  ## history pod/NAME and history --problems on a day-long journal of 10,000 pods, against tree --from the sample
	$(BIN)/python -m bench.history --pods 10000 --nodes 1000 --hours 24 --runs 5

bench-recorder: install  ## record a live 10,000-pod cluster at 1%/min beside kubectl get -w: CPU, RSS, API server, bytes
	$(BIN)/python -m bench.recorder --pods 10000 --nodes 100 --seconds 120

bench-loopback: install  ## loopback only, 3,000/10,000/30,000 pods, with variants and the typed client
	$(BIN)/python -m bench.run --points 3000,10000,30000 --nodes 1000 --runs 5

bench-stretch: install  ## the same, then on to 150,000 pods (long: about an hour)
	$(BIN)/python -m bench.run --points 3000,10000,30000,150000 --nodes 1000 --runs 5 --name stretch --server-memory-limit 10GiB

bench-startup: install  ## hyperfine: --help, completion, tree on the sample cluster, against kubectl
	$(BIN)/python -m bench.startup --runs 10

cluster-binaries:  ## build (or find cached) kube-apiserver, etcd, kwok...
	bash tests/fixtures/localcluster/build.sh

kind-images: install system-deps  ## build (or find cached) kind, its node image and the workload images
	$(BIN)/python -m tests.clusters.kind build

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache dist site
