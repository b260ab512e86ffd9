# reelroom — `make run` serves the app, `make test` runs every check.
# Every install step is here and idempotent; heavy caches live outside the clone.

CACHE_DIR ?= $(HOME)/.cache/reelroom
export CARGO_TARGET_DIR ?= $(CACHE_DIR)/target
export npm_config_cache ?= $(CACHE_DIR)/npm
export REELROOM_TEST_PG_DIR ?= $(CACHE_DIR)/test-pg
BIN := $(CARGO_TARGET_DIR)/debug/reelroom
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CARGO ?= cargo

.PHONY: run test build frontend deps deps-test check lint ts bench clean-cache

run: deps frontend build
	REELROOM_FRONTEND_DIR=$(CURDIR)/frontend/dist $(BIN)

build:
	$(CARGO) build --bin reelroom

# --- system packages (apt), installed only when missing -----------------------------------
deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	command -v runuser >/dev/null 2>&1 || missing="$$missing util-linux"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -q && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

deps-test: deps
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing: chromium"; \
		$(SUDO) apt-get update -q && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	fi

# --- web app -------------------------------------------------------------------------------
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend: deps frontend/node_modules/.package-lock.json
	cd frontend && npm run build

# --- checks --------------------------------------------------------------------------------
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

test: deps-test frontend lint
	$(CARGO) test --workspace --all-features
	cd frontend && npm run typecheck
	cd frontend && REELROOM_BIN=$(BIN) npm run test:node
	cd frontend && REELROOM_BIN=$(BIN) npm run test:e2e

# Regenerates frontend/src/protocol/generated from the Rust types.
ts:
	UPDATE_TS=1 $(CARGO) test -p protocol --features ts --test ts_drift

bench:
	$(CARGO) bench --bench fanout -- --rooms 100 --peers 10
	$(CARGO) bench --bench fanout -- --rooms 1 --peers 200
	$(CARGO) bench --bench room_load

clean-cache:
	rm -rf $(CACHE_DIR)
