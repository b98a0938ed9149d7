# The two entry points of the README. Both install missing Debian packages
# first (scripts/deps), then build with Meson and ninja.
.PHONY: all build demo check bench fuzz clean

all: build

build:
	./scripts/deps
	[ -d build ] || meson setup build
	ninja -C build

demo: build
	./scripts/demo

check:
	./scripts/deps
	./scripts/check

bench: build
	./build/bench/bench_load

clean:
	rm -rf build build-asan build-fuzz
