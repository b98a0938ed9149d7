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
	./scripts/deps bench
	meson setup --reconfigure build >/dev/null
	ninja -C build
	./build/bench/bench_load
	./build/bench/bench_classify
	./bench/datapath build

clean:
	rm -rf build build-asan build-fuzz
