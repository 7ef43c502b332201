# Tessel: the two commands are `make demo` and `make check`; each bootstraps
# itself from a fresh clone (venv, pinned requirements, CMake + Ninja build
# against the MLIR 22 wheels, install into the venv) and is incremental.

SHELL := /bin/bash
ROOT := $(abspath .)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
BUILD := $(ROOT)/build
STAMPS := $(ROOT)/.stamps
SYSTEM_PYTHON ?= python3
JOBS ?= $(shell nproc)

say = @printf '\033[1m==> %s\033[0m\n' "$(1)"

.PHONY: all venv configure build install check check-lit check-py demo bench fuzz clean distclean

all: install

# -- 1. virtual environment with the pinned requirements -------------------
$(STAMPS)/venv: requirements.txt
	$(call say,venv: creating $(VENV) and installing requirements.txt)
	@mkdir -p $(STAMPS)
	@test -x $(PY) || $(SYSTEM_PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

venv: $(STAMPS)/venv

# -- 2. configure (once; CMake re-runs itself when CMakeLists change) ------
$(BUILD)/build.ninja: $(STAMPS)/venv
	$(call say,configure: CMake + Ninja against the MLIR 22 wheels)
	@$(PY) scripts/configure.py --build $(BUILD)

configure: $(BUILD)/build.ninja

# -- 3. build (ninja is a no-op when nothing changed) ----------------------
build: $(BUILD)/build.ninja
	$(call say,build: tessel-opt, libraries and the tessel.mlir Python package)
	@$(VENV)/bin/ninja -C $(BUILD) -j $(JOBS) all

# -- 4. install into the venv (tessel package, tessel-opt, tessel command) -
install: build
	$(call say,install: tessel package and tools into $(VENV))
	@$(PY) scripts/install.py --build $(BUILD) --venv $(VENV)

# -- the two commands ------------------------------------------------------
check: install
	$(call say,check: lit and pytest)
	@$(if $(FRESH),TESSEL_CHECK_CACHE=0 ,)$(PY) scripts/check.py --build $(BUILD) $(CHECK_ARGS)

demo: install
	$(call say,demo)
	@$(PY) scripts/demo.py

bench: install
	$(call say,bench)
	@$(PY) scripts/bench.py

# Mutation fuzzing of both pipelines (scripts/fuzz.py): FUZZ_COUNT mutants
# of every lit input and the DSV4 IR at each stage, seed FUZZ_SEED, no new
# batch started after FUZZ_TIME seconds; reproducers land in build/fuzz/.
FUZZ_COUNT ?= 10000
FUZZ_SEED ?= 1
FUZZ_TIME ?= 1800
fuzz: install
	$(call say,fuzz: $(FUZZ_COUNT) mutants through tile-npu-pipeline + tile-cpu-pipeline)
	@$(PY) scripts/fuzz.py --opt $(VENV)/bin/tessel-opt --dsv4 \
		--count $(FUZZ_COUNT) --seed $(FUZZ_SEED) --time-limit $(FUZZ_TIME) \
		--out $(BUILD)/fuzz $(FUZZ_ARGS)

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(VENV) $(STAMPS)
