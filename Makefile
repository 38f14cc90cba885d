# Thin wrappers around cargo: the build, the main job, the tests, the benchmarks.
TARGET   := x86_64-unknown-linux-gnu
RELEASE  := target/$(TARGET)/release
DEBUG    := target/$(TARGET)/debug
CONFIGS  := $(wildcard npd-config/*.json)

.PHONY: all build run test lint bench fmt clean

all: build

## build: every plugin and npd-checks, release profile (static, stripped, LTO)
build:
	cargo build --release --workspace

## run: build, then run every shipped config once against this machine
run: build
	$(RELEASE)/npd-checks run --plugin-dir $(RELEASE) $(CONFIGS)

## test: unit, contract and end-to-end tests (dev profile), then lint the shipped configs
test:
	cargo build --workspace
	cargo test --workspace
	$(DEBUG)/npd-checks lint --plugin-dir $(DEBUG) $(CONFIGS)

## bench: side-by-side figures against the alternatives, written to BENCHMARKS.md
bench: build
	/usr/bin/python3 bench/bench.py --bin-dir $(RELEASE) --out BENCHMARKS.md

fmt:
	cargo fmt --all

clean:
	cargo clean
