# Thin driver over CMake. The README's two commands:
#   make test   install what is missing, build, run every test (plain build,
#               then ASan+UBSan build, then a short bounded fuzz run)
#   make demo   install, build, generate demo data, import it, print a report
#               and the alerts its drop rule fires over the two years
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
CXM_WERROR ?= ON
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 20
PREFIX     ?= /usr/local
DEMO_DIR   ?= demo-data
DEMO_DB    ?= demo.db

.PHONY: all deps build test unit-test asan-test fuzz-smoke demo install clean bench

all: build

deps:
	@scripts/install-deps.sh
	@scripts/install-node-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	      -DCXM_WERROR=$(CXM_WERROR) -DCMAKE_INSTALL_PREFIX=$(PREFIX) \
	      -DCXM_BENCH=ON

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

unit-test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

asan-test: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCXM_SANITIZE=ON \
	      -DCXM_WERROR=$(CXM_WERROR) -DCMAKE_C_COMPILER=clang
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

fuzz-smoke: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCXM_FUZZ=ON \
	      -DCMAKE_C_COMPILER=clang
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	scripts/fuzz-smoke.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

test: unit-test asan-test fuzz-smoke
	@echo "make test: all suites passed"

# The drop rule `make demo` checks the demo's two years with: CSAT of any
# team falling significantly week over week, Holm over the teams, at a
# family-wise alpha of 0.0001 a week (104 weeks: about 0.01 false alarms
# in two years; docs/alerts.md). tests/hostile/test_demo_incident.py
# proves it fires on the planted incident alone, for three seeds.
DEMO_RULE  ?= --metric csat --by team --drop --window week --alpha 0.0001
DEMO_TICKETS ?= 100000

demo: build
	rm -rf $(DEMO_DIR) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB)-cols
	mkdir -p $(DEMO_DIR)
	$(BUILD)/cxmeter demo-data --seed 42 --tickets $(DEMO_TICKETS) --out $(DEMO_DIR)
	for k in agents customers tickets responses orders selfservice agent_hours reviews qa_scores; do \
	  $(BUILD)/cxmeter import --db $(DEMO_DB) $$k $(DEMO_DIR)/$$k.csv || exit $$?; done
	$(BUILD)/cxmeter report --db $(DEMO_DB) --by quarter
	$(BUILD)/cxmeter report --db $(DEMO_DB) --metrics csat,nps,ces,fcr,art --by channel \
	      --from 2026-08-01 --to 2026-11-01
	$(BUILD)/cxmeter alert add --db $(DEMO_DB) $(DEMO_RULE)
	@echo "alerts fired over the demo's two years:"
	$(BUILD)/cxmeter alert check --db $(DEMO_DB) --from 2024-11-01 --at 2026-11-01

install: build
	cmake --install $(BUILD)

# The bench programs (bench/bench_*.c) too, in a build tree configured
# before they were built by default.
bench: build
	cmake -S . -B $(BUILD) -DCXM_BENCH=ON
	cmake --build $(BUILD) -j $(JOBS)
	bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
