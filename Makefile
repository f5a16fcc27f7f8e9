# Thin wrapper over CMake. `make run` and `make test` install the Debian packages they need when run as root.
BUILD      ?= build
TEST_BUILD ?= build-test
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CONF       ?= conf
ARGS       ?=

PKGS_BUILD = gcc make cmake pkg-config openssl libh2o-evloop-dev libjansson-dev libxml2-dev libssl-dev \
             libpq-dev libmariadb-dev libsqlite3-dev libcmocka-dev libpcre2-dev libyaml-dev
PKGS_TEST  = $(PKGS_BUILD) postgresql mariadb-server mariadb-client curl python3 python3-authlib python3-jwt \
             python3-requests python3-cryptography python3-yaml wrk chromium chromium-driver python3-selenium

.PHONY: all build run test deps deps-test clean

all: build

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@sh tests/support/apt-ensure.sh $(PKGS_BUILD)

deps-test:
	@sh tests/support/apt-ensure.sh $(PKGS_TEST)
	@command -v node >/dev/null && command -v npm >/dev/null || sh tests/support/apt-ensure.sh nodejs npm

# The all-in-one server on the embedded SQLite default, in the foreground (Ctrl-C stops it).
run: deps build
	$(BUILD)/apps/gatehouse/gatehouse --conf $(CONF) --profile all $(ARGS)

# Everything CI runs: the optimised build `make run` uses (gcc warns differently at -O2), then the ASan+UBSan
# build, throw-away PostgreSQL and MariaDB, and every test under ctest.
test: deps-test build
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DGH_SANITIZE=ON >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	sh tests/support/run-tests.sh $(TEST_BUILD)

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
