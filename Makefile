# The front door: every command a person or CI needs. Each target installs what is missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
# `make test` also runs the suite built with AddressSanitizer and UndefinedBehaviorSanitizer;
# SANITIZE=0 skips that second pass for a quick local run.
SANITIZE ?= 1
ASAN_BUILD ?= build-asan
# `make fuzz`: FUZZ_SECONDS per target, all targets or those FUZZ_TARGETS names (e.g. "token paths").
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

.PHONY: deps build test dev bench fuzz format format-check lint clean web

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# The web console alone (npm ci when needed, vite build, embed); `make build` does it too when web/ changed.
web: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) --target web_console

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
ifeq ($(SANITIZE),1)
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSUPERSTORE_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)
endif
	@$(MAKE) --no-print-directory format-check

# Unformatted C++ fails `make test` (and so CI), after the tests have run; `make format` fixes it.
format-check: deps
	@clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.h') || \
	  { echo "make test: the C++ above is not formatted as .clang-format says; run 'make format'" >&2; exit 1; }

# Without USER_EMAIL nobody could log in; in dev the first user's password is generated and printed once.
dev: build
	APP_ENV=dev USER_EMAIL=$${USER_EMAIL:-dev@example.com} ./$(BUILD)/superstore serve

bench: deps
	cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build build-bench -j $(JOBS)
	./scripts/run-bench.sh build-bench

# The fuzz targets of fuzz/ built with clang for libFuzzer (everything instrumented, under ASan+UBSan),
# each run for FUZZ_SECONDS from its seeds and earlier finds; see scripts/run-fuzz.sh. `make test` runs the
# same targets for a few seconds each through the seeded driver instead (fuzz/driver.cpp).
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	  -DSUPERSTORE_FUZZ=ON -DSUPERSTORE_WERROR=OFF -DSUPERSTORE_WEB_CONSOLE=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets
	./scripts/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

format: deps
	clang-format -i $$(git ls-files '*.cpp' '*.h')

# clang-tidy with the checks of .clang-tidy over every source file of src/ (the compile commands come from
# the build), warnings counted as errors. The build's GCC flags include -Wno-restrict, which clang lacks.
lint: build
	run-clang-tidy -quiet -p $(BUILD) -j $(JOBS) -extra-arg=-Wno-unknown-warning-option '^$(CURDIR)/src/.*\.cpp$$'

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-bench
