# The front door: every command a person or CI needs. Each target installs what is missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
# `make test` also runs the suite built with AddressSanitizer and UndefinedBehaviorSanitizer;
# SANITIZE=0 skips that second pass for a quick local run.
SANITIZE ?= 1
ASAN_BUILD ?= build-asan

.PHONY: deps build test dev bench format format-check lint clean web

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

format: deps
	clang-format -i $$(git ls-files '*.cpp' '*.h')

# clang-tidy with the checks of .clang-tidy over every source file of src/ (the compile commands come from
# the build), warnings counted as errors. The build's GCC flags include -Wno-restrict, which clang lacks.
lint: build
	run-clang-tidy -quiet -p $(BUILD) -j $(JOBS) -extra-arg=-Wno-unknown-warning-option '^$(CURDIR)/src/.*\.cpp$$'

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-bench
