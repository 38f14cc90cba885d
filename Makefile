# Thin wrappers around cargo: the build, the main job, the tests, the benchmarks.
TARGET   := x86_64-unknown-linux-gnu
OUT_DIR  := $(or $(CARGO_TARGET_DIR),target)
RELEASE  := $(OUT_DIR)/$(TARGET)/release
DEBUG    := $(OUT_DIR)/$(TARGET)/debug
# Every shipped config: NPD's custom plugin monitors (our plugins) and its system log
# monitors (the kernel log). `make test` lints all of them, and tests/tests/delivery
# checks that the DaemonSets load exactly these (`make list-configs`).
CONFIGS  := $(wildcard npd-config/*.json)
# The cloud overlays' configs: alternatives that one NPD never loads together (each
# raises the same conditions), so each is linted on its own (the repo-wide tests lint
# each with the others), and `make run` leaves them out: they belong to an overlay.
CLOUD_CONFIGS := $(filter npd-config/npd-maintenance-%,$(CONFIGS))
NODE_CONFIGS  := $(filter-out $(CLOUD_CONFIGS),$(CONFIGS))
# Example configs: linted with the shipped ones, never delivered (they need programs
# the image does not carry, or privileges its plugins' container does not have).
EXAMPLES := $(wildcard npd-config/examples/*.json)

.PHONY: all build run test lint bench faults fuzz fmt clean list-configs

all: build

# The binaries' packages. Each is built on its own: one `cargo build --workspace` would
# unify http-probe's features across them, and every plugin that speaks HTTP would then
# carry the TLS stack (rustls, ring: ~1 MB) that only npd-http, npd-kube and
# npd-openstack use.
PACKAGES := $(sort $(shell sed -n 's/^name = "\(npd-[a-z0-9-]*\)"$$/\1/p' plugins/*/Cargo.toml tool/*/Cargo.toml))

## build: every plugin and npd-checks, release profile (static, stripped, LTO)
build:
	@for p in $(PACKAGES); do cargo build --release -p $$p || exit 1; done

## run: build, then run every shipped config once against this machine (the kernel log
## monitors show the conditions they start with; --log-lines tries kernel lines on them)
run: build
	$(RELEASE)/npd-checks run --plugin-dir $(RELEASE) $(NODE_CONFIGS)

## test: unit, contract and end-to-end tests (dev profile), then lint the shipped configs
test:
	cargo build --workspace
	cargo test --workspace --no-fail-fast
	$(DEBUG)/npd-checks lint --plugin-dir $(DEBUG) \
	  --drain-conditions manifests/addons/draino/deployment.yaml $(NODE_CONFIGS) $(EXAMPLES)
	@for c in $(CLOUD_CONFIGS); do $(DEBUG)/npd-checks lint --plugin-dir $(DEBUG) $$c || exit 1; done
	/usr/bin/python3 faults/faults.py --bin-dir $(DEBUG) --quick

## bench: side-by-side figures against the alternatives and the base rules' CPU per
## minute (suite node-budget), written to BENCHMARKS.md;
## BASELINE=<dir of a previous release build> adds its binaries' rows, "(before)"
bench: build
	/usr/bin/python3 bench/bench.py --bin-dir $(RELEASE) --out BENCHMARKS.md \
	  $(if $(BASELINE),--baseline-bin-dir $(BASELINE))

## faults: every rule of every shipped config under the faults a node produces (broken
## host files, hung mounts, stalling peers, broken state dirs, SIGPIPE...), checked
## against the contract; the table goes to FAULTS.md, exit 1 on a broken promise.
## QUICK=1: a few faults per plugin, not written (`make test` runs it)
faults:
	cargo build --workspace
	/usr/bin/python3 faults/faults.py --bin-dir $(DEBUG) $(if $(QUICK),--quick,--out FAULTS.md)

## fuzz: every fuzz target (fuzz/fuzz_targets) for FUZZ_SECONDS each, one after another,
## on nightly (installs cargo-fuzz if missing); the corpus grows in fuzz/corpus/<target>,
## a crash's input lands in fuzz/artifacts/<target>. `make test` replays the corpus.
FUZZ_SECONDS ?= 120
FUZZ_TARGETS := $(basename $(notdir $(wildcard fuzz/fuzz_targets/*.rs)))
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  mkdir -p corpus/$$t artifacts/$$t && \
	  nice cargo +nightly fuzz run --fuzz-dir . -O -a $$t corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
	    -artifact_prefix=artifacts/$$t/ -print_final_stats=1 || exit 1; \
	done

fmt:
	cargo fmt --all

## list-configs: the shipped configs `make test` lints, one a line
list-configs:
	@printf '%s\n' $(CONFIGS)

clean:
	cargo clean

# Delivery: the container image and the PrometheusRule. The manifests' tests
# (tests/tests/delivery.rs and delivery/) are part of `make test`; `make test-delivery`
# runs them alone.
VERSION       := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
IMAGE         ?= localhost/npd-checks:$(VERSION)
IMAGE_BIN     := $(RELEASE)
IMAGE_CONTEXT := $(OUT_DIR)/image
BUILDAH       ?= buildah --storage-driver vfs
PROMETHEUS    := manifests/addons/prometheus

.PHONY: image prometheus-rule test-delivery

## image: the npd-checks image FROM scratch, built without a daemon; its build context
## is the tree `npd-checks install` makes, so the image holds what the initContainer copies
image: build
	rm -rf $(IMAGE_CONTEXT)
	$(IMAGE_BIN)/npd-checks install --from $(IMAGE_BIN) --to $(IMAGE_CONTEXT)/bin
	$(BUILDAH) bud --isolation chroot --file Dockerfile --tag $(IMAGE) $(IMAGE_CONTEXT)

## prometheus-rule: rewrite the PrometheusRule from the plain rules file rules.yaml
prometheus-rule:
	{ printf '%s\n' \
	  '# GENERATED from rules.yaml by `make prometheus-rule`: edit rules.yaml, then run it.' \
	  '# Many Prometheus installations select PrometheusRules by label: add the one yours' \
	  '# needs (kube-prometheus-stack: release=<its release name>).' \
	  'apiVersion: monitoring.coreos.com/v1' 'kind: PrometheusRule' 'metadata:' \
	  '  name: npd-checks' '  labels:' '    app.kubernetes.io/name: npd-checks' 'spec:'; \
	  sed -n '/^groups:/,$$p' $(PROMETHEUS)/rules.yaml | sed 's/^./  &/'; \
	} > $(PROMETHEUS)/prometheusrule.yaml

## test-delivery: only the manifests, image and alert-rule tests
test-delivery:
	cargo build --workspace
	cargo test -p repo-checks --test delivery
