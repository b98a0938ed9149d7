# SPDX-License-Identifier: MIT
# The two entry points of the README. Both install missing Debian packages
# first (scripts/deps), then build with Meson and ninja.
.PHONY: all build demo check bench fuzz clean install

PREFIX ?= /usr/local

all: build

build:
	./scripts/deps
	[ -d build ] || meson setup build
	ninja -C build

demo: build
	./scripts/demo

check:
	./scripts/deps pkg cockpit
	./scripts/check

bench: build
	./scripts/deps bench
	meson setup --reconfigure build >/dev/null
	ninja -C build
	./build/bench/bench_load
	./build/bench/bench_classify
	./bench/datapath build
	./bench/addrchange build
	./bench/showstats build
	./bench/fleet build

# make install [PREFIX=/usr] [DESTDIR=/tmp/root]: programs, units, man pages, completion
install: build
	meson configure build --prefix=$(PREFIX) >/dev/null
	ninja -C build
	meson install -C build --no-rebuild $(if $(DESTDIR),--destdir $(DESTDIR))

clean:
	rm -rf build build-asan build-fuzz
