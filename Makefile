# reelroom — `make run` serves the app, `make test` runs every check.
# Every install step is here and idempotent; heavy caches live outside the clone.

CACHE_DIR ?= $(HOME)/.cache/reelroom
export CARGO_TARGET_DIR ?= $(CACHE_DIR)/target
export npm_config_cache ?= $(CACHE_DIR)/npm
export REELROOM_TEST_PG_DIR ?= $(CACHE_DIR)/test-pg
BIN := $(CARGO_TARGET_DIR)/debug/reelroom
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CARGO ?= cargo

# --- libtorch: pip's torch in a venv outside the clone (.venv links to it) -------------------
# tch finds it through LIBTORCH_USE_PYTORCH; binaries find it through an rpath, so nobody needs
# LD_LIBRARY_PATH.
PYTHON ?= python3
VENV ?= $(CACHE_DIR)/venv
TORCH_VERSION := 2.13.0
PY_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
TORCH_LIB := $(VENV)/lib/python$(PY_VERSION)/site-packages/torch/lib
TORCH_STAMP := $(VENV)/.torch-$(TORCH_VERSION)
export LIBTORCH_USE_PYTORCH := 1
export VIRTUAL_ENV := $(VENV)
export PATH := $(VENV)/bin:$(PATH)
export RUSTFLAGS := -C link-arg=-Wl,-rpath,$(TORCH_LIB)
# OpenMP threads that spin while waiting are 4x slower on shared cores.
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: run test build frontend deps deps-test concept-deps concepts check lint ts bench clean-cache torch generate train eval fuzz fuzz-deps soak
.PHONY: face-deps face-models

run: deps face-deps face-models frontend build
	REELROOM_FRONTEND_DIR=$(CURDIR)/frontend/dist $(BIN)

build: torch face-deps face-models
	$(CARGO) build --bin reelroom

$(TORCH_STAMP):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check "torch==$(TORCH_VERSION)" numpy safetensors
	touch $@

torch: $(TORCH_STAMP)
	@ln -sfn $(VENV) .venv

# --- the video model -------------------------------------------------------------------------
PROMPT ?= a red ball bouncing on the floor
SEED ?= 1
OUT ?= out/generate
STEPS ?= 8
# `make generate PROMPT="..." SEED=1 OUT=dir [STEPS=8]`: PNG frames OUT/0000.png… and the time.
generate: build
	$(BIN) generate --prompt "$(PROMPT)" --seed $(SEED) --steps $(STEPS) --out "$(OUT)"

# `make train ARGS="--out ckpt --steps 1000"` (CPU or CUDA); see docs/MODEL.md for the GPU path.
train: build
	$(BIN) train $(ARGS)

# Prompt adherence, consistency, continuity and avatar similarity of the shipped model.
eval: build
	$(BIN) eval --model models/reelroom-v1 --json out/eval-v1.json $(ARGS)
	$(BIN) eval --model models/reelroom-v2 --json out/eval-v2.json --strips docs/strips $(ARGS)

# --- system packages (apt), installed only when missing -----------------------------------
deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	command -v runuser >/dev/null 2>&1 || missing="$$missing util-linux"; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	[ -e /usr/include/vpx/vp8cx.h ] || missing="$$missing libvpx-dev"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -q && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

deps-test: deps concept-deps face-deps face-models c2patool
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing: chromium"; \
		$(SUDO) apt-get update -q && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	fi

# The concept library's sources (docs/MODEL.md): the emoji font's colour bitmaps, the emoji
# list with groups, and CLDR's English and French names and keywords.
concept-deps:
	@missing=""; \
	[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing="$$missing fonts-noto-color-emoji"; \
	[ -e /usr/share/unicode/emoji/emoji-test.txt ] || missing="$$missing unicode-data"; \
	[ -e /usr/share/unicode/cldr/common/annotations/fr.xml ] || missing="$$missing unicode-cldr-core"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -q && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# --- the independent C2PA verifier (provenance/tests) ---------------------------------------
# c2patool from the crates registry, in its own root outside the clone; the tests read
# C2PATOOL. 0.27.x is the line built on c2pa 0.90 (0.28 needs rustc 1.96). Its c2pa has the
# `openssl` feature with OpenSSL vendored (compiled from source, which needs perl, make and a
# C compiler; no libssl-dev); the tests only ever run it offline, with our root as anchor.
C2PATOOL_VERSION := 0.27.22
C2PATOOL_DIR := $(CACHE_DIR)/c2patool
export C2PATOOL ?= $(C2PATOOL_DIR)/bin/c2patool

.PHONY: c2patool
c2patool:
	@if ! $(C2PATOOL_DIR)/bin/c2patool --version 2>/dev/null | grep -qx "c2patool $(C2PATOOL_VERSION)"; then \
		missing=""; \
		command -v perl >/dev/null 2>&1 || missing="$$missing perl"; \
		command -v make >/dev/null 2>&1 || missing="$$missing make"; \
		command -v cc >/dev/null 2>&1 || missing="$$missing gcc"; \
		if [ -n "$$missing" ]; then \
			echo "installing:$$missing"; \
			$(SUDO) apt-get update -q && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		fi; \
		echo "installing: c2patool $(C2PATOOL_VERSION) (a few minutes, once)"; \
		$(CARGO) install c2patool --version $(C2PATOOL_VERSION) --locked --root $(C2PATOOL_DIR) \
			--target-dir $(CACHE_DIR)/c2patool-build && rm -rf $(CACHE_DIR)/c2patool-build; \
	fi

# --- avatar enrolment (faces/, faces/data/README.md) ---------------------------------------
# dlib 19.24 from Debian (HOG detector compiled in); dlib-face-recognition links -lopenblas
# through its `openblas` feature (without it, its build.rs asks for a -lcblas Debian lacks).
face-deps:
	@missing=""; \
	[ -e /usr/include/dlib/dnn.h ] || missing="$$missing libdlib-dev"; \
	ls /usr/lib/*/libopenblas.so >/dev/null 2>&1 || missing="$$missing libopenblas-dev"; \
	ls /usr/lib/*/liblapack.so >/dev/null 2>&1 || missing="$$missing liblapack-dev"; \
	command -v g++ >/dev/null 2>&1 || missing="$$missing g++"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -q && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# The 5-point landmarker and the ResNet embedder (CC0) from PyPI face_recognition_models, and
# scikit-image's public-domain astronaut photo + CC0 coffee photo for the tests; only those
# files are kept, each checked against its sha256. The server and the tests read
# REELROOM_FACE_MODELS (exported here, so a CACHE_DIR override is followed).
FACE_DIR := $(CACHE_DIR)/face-models
export REELROOM_FACE_MODELS ?= $(FACE_DIR)
FACE_MODELS_VERSION := 0.3.0
FACE_MODELS_STAMP := $(FACE_DIR)/.face_recognition_models-$(FACE_MODELS_VERSION)
SKIMAGE_VERSION := 0.26.0
FACE_PHOTO_STAMP := $(FACE_DIR)/.scikit_image-$(SKIMAGE_VERSION)
FACE_FILES := \
	c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888:shape_predictor_5_face_landmarks.dat \
	55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30:dlib_face_recognition_resnet_model_v1.dat
FACE_PHOTOS := \
	88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5:astronaut.png \
	cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7:coffee.png

$(FACE_MODELS_STAMP): | $(TORCH_STAMP)
	@rm -rf $(FACE_DIR)/tmp && mkdir -p $(FACE_DIR)/tmp
	$(VENV)/bin/pip download -q --disable-pip-version-check --no-deps -d $(FACE_DIR)/tmp "face_recognition_models==$(FACE_MODELS_VERSION)"
	tar -xzf $(FACE_DIR)/tmp/face_recognition_models-$(FACE_MODELS_VERSION).tar.gz -C $(FACE_DIR)/tmp
	@for f in $(FACE_FILES); do \
		sum=$${f%%:*}; name=$${f#*:}; \
		echo "$$sum  $(FACE_DIR)/tmp/face_recognition_models-$(FACE_MODELS_VERSION)/face_recognition_models/models/$$name" | sha256sum -c --quiet - || exit 1; \
		mv $(FACE_DIR)/tmp/face_recognition_models-$(FACE_MODELS_VERSION)/face_recognition_models/models/$$name $(FACE_DIR)/$$name; \
	done
	@rm -rf $(FACE_DIR)/tmp
	touch $@

$(FACE_PHOTO_STAMP): | $(TORCH_STAMP)
	@rm -rf $(FACE_DIR)/tmp-photo && mkdir -p $(FACE_DIR)/tmp-photo
	$(VENV)/bin/pip download -q --disable-pip-version-check --no-deps --only-binary :all: \
		--platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp --abi cp311 \
		-d $(FACE_DIR)/tmp-photo "scikit-image==$(SKIMAGE_VERSION)"
	cd $(FACE_DIR)/tmp-photo && $(PYTHON) -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); \
		[z.extract("skimage/data/" + n.split(":")[1], "x") for n in sys.argv[2:]]' scikit_image-*.whl $(FACE_PHOTOS)
	@for f in $(FACE_PHOTOS); do \
		sum=$${f%%:*}; name=$${f#*:}; \
		echo "$$sum  $(FACE_DIR)/tmp-photo/x/skimage/data/$$name" | sha256sum -c --quiet - || exit 1; \
		mv $(FACE_DIR)/tmp-photo/x/skimage/data/$$name $(FACE_DIR)/$$name; \
	done
	@rm -rf $(FACE_DIR)/tmp-photo
	touch $@

face-models: $(FACE_MODELS_STAMP) $(FACE_PHOTO_STAMP)

# Rebuilds world/data/concepts (atlas.png + lexicon.tsv) from those packages; a test checks
# the committed copies match.
concepts: concept-deps
	$(CARGO) run --release -p conceptgen -- world/data/concepts

# --- web app -------------------------------------------------------------------------------
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend: deps frontend/node_modules/.package-lock.json
	cd frontend && npm run build

# --- checks --------------------------------------------------------------------------------
lint: torch face-deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

test: deps-test torch frontend lint
	$(CARGO) test --workspace --all-features
	cd frontend && npm run typecheck
	cd frontend && REELROOM_BIN=$(BIN) npm run test:node
	cd frontend && REELROOM_BIN=$(BIN) npm run test:e2e

# Regenerates frontend/src/protocol/generated from the Rust types.
ts: torch
	UPDATE_TS=1 $(CARGO) test -p protocol --features ts --test ts_drift

bench: torch
	$(CARGO) bench -p engine --bench sampler
	$(CARGO) bench -p actors --bench live_edit
	$(CARGO) bench -p actors --bench live_media -- encode
	$(CARGO) bench -p actors --bench live_media -- viewers --viewers 200
	$(CARGO) bench -p actors --bench live_media -- pipeline --runs 5
	$(CARGO) bench --bench fanout -- --rooms 100 --peers 10
	$(CARGO) bench --bench fanout -- --rooms 1 --peers 200
	$(CARGO) bench --bench room_load
	$(CARGO) bench --bench feed

# --- fuzzing (libFuzzer through cargo-fuzz; docs/RELIABILITY.md) ---------------------------
# `make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="sync_frame range"]`: each target for that long,
# starting from fuzz/corpus/<target>; crashes land in fuzz/artifacts/<target>/.
# cargo-fuzz drives nightly flags; RUSTC_BOOTSTRAP lets the one stable toolchain take them.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= sync_frame update_scan awareness control_json whep_sdp range upload
FUZZ_TARGET_DIR := $(CACHE_DIR)/fuzz-target
CARGO_FUZZ_VERSION := 0.13.2

fuzz-deps:
	@cargo fuzz --version 2>/dev/null | grep -q $(CARGO_FUZZ_VERSION) || $(CARGO) install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked

fuzz: fuzz-deps
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$t.run && cp -n fuzz/corpus/$$t/* fuzz/corpus/$$t.run/ 2>/dev/null; \
		echo "== $$t ($(FUZZ_SECONDS) s)"; \
		RUSTC_BOOTSTRAP=1 RUSTFLAGS= cargo fuzz run --fuzz-dir fuzz --target-dir $(FUZZ_TARGET_DIR) $$t fuzz/corpus/$$t.run fuzz/corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 || exit 1; \
	done

# --- load -------------------------------------------------------------------------------------
# `make soak`: 2,000 connections in 200 rooms typing for 10 minutes, the first 1,000 opened at
# once; prints the server's RSS curve (docs/RELIABILITY.md). SOAK_ARGS overrides.
SOAK_ARGS ?= --rooms 200 --peers 10 --seconds 600 --rate 400 --rss-every 30 --connect-concurrency 1000 --client-threads 2 --server-workers 2
soak: torch
	$(CARGO) bench --bench fanout -- $(SOAK_ARGS)

clean-cache:
	rm -rf $(CACHE_DIR)
