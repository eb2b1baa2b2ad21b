# hwinspector — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# System packages (Debian/Ubuntu names), in three lists: packaging/system-packages installs the missing
# ones as root and, as a user, prints the exact apt-get line and stops.
# What the window needs (make run): the libraries Qt's wheels load (GL/EGL, fontconfig, D-Bus, GLib, the
# xcb platform plugin's xcb and xkbcommon libraries), a font (without one every glyph is an empty box),
# libudev (pyudev) and hwdata (pci.ids and usb.ids name the devices udev's hwdb does not).
RUNTIME_PACKAGES := libglib2.0-0 libgl1 libegl1 libfontconfig1 libfreetype6 fonts-dejavu-core libdbus-1-3 \
  libx11-xcb1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxcb-xkb1 \
  libxcb-glx0 libudev1 hwdata
# What builds the native sampler (the C extension). make run installs them as root; a user without them
# gets the window on the pure-Python sampler, which the window says.
BUILD_PACKAGES := gcc libc6-dev python3-dev
# What make test needs on top: Xvfb, umockdev and dbus-daemon for real X, udev and D-Bus clients, the
# headers that dbus-python and PyGObject (test-only Python packages) build against, the reference tools
# we compare against, packaging tools, the services the tests start, gettext (xgettext, msgmerge, and msgfmt
# as the oracle of po/msgfmt.py), fonts-noto-cjk (the tests' Chinese window renders glyphs, not boxes), and
# at-spi2-core and python3-pyatspi (tests/app/test_accessibility.py walks the window as a screen reader does).
TEST_PACKAGES := xvfb xauth umockdev gir1.2-umockdev-1.0 \
  dbus-daemon pkg-config libdbus-1-dev libglib2.0-dev libgirepository1.0-dev \
  libcairo2-dev pciutils usbutils alsa-ucm-conf alsa-utils v4l-utils pipewire-bin lm-sensors edid-decode mesa-utils vulkan-tools \
  mesa-vulkan-drivers kmod upower libdrm2 chromium \
  desktop-file-utils appstream lintian debhelper dh-python pybuild-plugin-pyproject python3-all-dev \
  python3-setuptools python3-wheel python3-dbus-next python3-numpy python3-psutil dpkg-dev man-db \
  prometheus prometheus-node-exporter \
  ethtool iw rfkill bluez bolt \
  polkitd pkexec util-linux powertop \
  openssh-server openssh-client \
  gettext fonts-noto-cjk \
  at-spi2-core python3-pyatspi
SYSTEM_PACKAGES := $(RUNTIME_PACKAGES) $(BUILD_PACKAGES) $(TEST_PACKAGES)
# What `make fresh-check` (packaging/check-fresh-machine) needs here: debootstrap builds the minimal Debian,
# Xvfb is the display outside it, xwininfo (x11-utils) sees the window mapped, import (imagemagick) takes
# its screenshot.
FRESH_CHECK_PACKAGES := debootstrap xvfb x11-utils imagemagick
STAMP := $(VENV)/.installed
# make run's install: the application without the test extra (whose PyGObject and dbus-python build
# against headers a user's machine lacks), its native sampler built where a compiler is there.
RUN_STAMP := $(VENV)/.installed-run
NATIVE := hwinspector.probes.telemetry._sampler
# checkbox-ng in a virtual environment of its own: its pins (packaging/checkbox/requirements.txt)
# would hold our test environment back.
CHECKBOX_VENV := .venv-checkbox
CHECKBOX_STAMP := $(CHECKBOX_VENV)/.installed
INSTALL_LOCK := /tmp/hwinspector-install.lock

.PHONY: run rundeps test sysdeps fresh-check list-packages dev checkbox lint typecheck pytest clean bench soak stress screenshots fuzz validate-packaging install uninstall pot mo

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip setuptools wheel

$(STAMP): pyproject.toml setup.py | $(VENV)/bin/python
	$(PIP) install -q -e '.[test]' --config-settings editable_mode=strict
	touch $(STAMP)

# Re-link the strict editable install (new modules appear only after this) and rebuild the extension.
dev: $(STAMP)
	flock $(INSTALL_LOCK) $(PIP) install -q --no-deps --no-build-isolation -e . --config-settings editable_mode=strict

$(CHECKBOX_STAMP): packaging/checkbox/requirements.txt
	$(PYTHON) -m venv $(CHECKBOX_VENV)
	$(CHECKBOX_VENV)/bin/python -m pip install -q -r packaging/checkbox/requirements.txt
	touch $(CHECKBOX_STAMP)

# checkbox-cli for tests/packaging/test_checkbox.py (which says how to get it where it is missing).
checkbox: $(CHECKBOX_STAMP)

rundeps:
	@packaging/system-packages --want '$(BUILD_PACKAGES)' \
	    --want-for 'the native sampler cannot be built and the window runs on the pure-Python sampler' \
	    $(RUNTIME_PACKAGES)

$(RUN_STAMP): pyproject.toml setup.py | rundeps $(VENV)/bin/python
	HWINSPECTOR_NATIVE=optional flock $(INSTALL_LOCK) $(PIP) install -q -e . --config-settings editable_mode=strict
	touch $(RUN_STAMP)

# The sampler is built again once the build packages are there (installed after a run without them).
run: $(RUN_STAMP)
	@if ! $(PY) -c 'import $(NATIVE)' 2>/dev/null && packaging/system-packages --check $(BUILD_PACKAGES); then \
	    echo "building the native sampler"; \
	    HWINSPECTOR_NATIVE=optional flock $(INSTALL_LOCK) $(PIP) install -q --no-deps -e . --config-settings editable_mode=strict; \
	fi
	$(VENV)/bin/hwinspector

sysdeps:
	@packaging/system-packages $(SYSTEM_PACKAGES)

# `make run` as a newcomer meets it, on fresh Debian chroots (root only; FRESH_ARGS="-s trixie user", …).
fresh-check:
	@packaging/system-packages $(FRESH_CHECK_PACKAGES)
	packaging/check-fresh-machine $(FRESH_ARGS)

# The three lists, one a line, for scripts (packaging/check-fresh-machine).
list-packages:
	@echo "runtime: $(RUNTIME_PACKAGES)"
	@echo "build: $(BUILD_PACKAGES)"
	@echo "test: $(TEST_PACKAGES)"

lint: $(STAMP)
	$(VENV)/bin/ruff check app widgets probes tests benchmarks packaging po
	$(VENV)/bin/ruff format --check app widgets probes tests benchmarks packaging po
	$(VENV)/bin/lint-imports
	$(VENV)/bin/clang-format --dry-run -Werror probes/telemetry/native/*.[ch]

typecheck: $(STAMP)
	$(VENV)/bin/mypy -p hwinspector

# Two passes: the umockdev tests need libudev preloaded by umockdev-wrapper for the whole process.
pytest: $(STAMP) $(CHECKBOX_STAMP)
	$(PY) -m pytest -q -m "not umockdev" -p no:cacheprovider
	# (no TMPDIR=/dev/shm here: umockdev redirects /dev, so a testbed under /dev/shm cannot be built)
	umockdev-wrapper $(PY) -m pytest -q -m umockdev -p no:cacheprovider

test: sysdeps dev lint typecheck pytest validate-packaging

# Desktop file, AppStream, .deb (where dpkg-buildpackage is installed), snapcraft.yaml, sdist and wheel.
validate-packaging: $(STAMP)
	$(PY) packaging/validate

# The quick benchmarks; the 30-minute soak, the services stress and the fuzzing budget have their own targets.
bench: $(STAMP)
	for b in benchmarks/*.py; do case $$b in */soak.py|*/fuzz.py|*/services_stress.py) ;; *) $(PY) $$b || exit 1;; esac; done

soak: $(STAMP)
	$(PY) benchmarks/soak.py --minutes $${SOAK_MINUTES:-30}

# D-Bus services appear, change and vanish while pages open and close, under CPU load: hangs and crashes.
stress: $(STAMP)
	$(PY) benchmarks/services_stress.py --iterations $${STRESS_ITERATIONS:-500}

fuzz: $(STAMP)
	$(PIP) install -q 'atheris>=2.3' || echo "atheris does not install here: mutation engine only"
	$(PY) benchmarks/fuzz.py --seconds $${FUZZ_SECONDS:-30}

screenshots: $(STAMP)
	packaging/make-screenshots

# Desktop integration and the man page, under $(DESTDIR)$(PREFIX). The application itself comes from
# `pipx install .` (or the .deb or the snap, which install all of this too): packaging/README.md.
PREFIX ?= /usr/local
APP_ID := io.github.hwinspector.HwInspector
INSTALLED := share/applications/$(APP_ID).desktop share/metainfo/$(APP_ID).metainfo.xml \
  share/icons/hicolor/scalable/apps/$(APP_ID).svg share/man/man1/hwinspector.1
install:
	install -D -m 0644 packaging/linux/$(APP_ID).desktop "$(DESTDIR)$(PREFIX)/share/applications/$(APP_ID).desktop"
	install -D -m 0644 packaging/linux/$(APP_ID).metainfo.xml "$(DESTDIR)$(PREFIX)/share/metainfo/$(APP_ID).metainfo.xml"
	install -D -m 0644 packaging/linux/$(APP_ID).svg "$(DESTDIR)$(PREFIX)/share/icons/hicolor/scalable/apps/$(APP_ID).svg"
	install -D -m 0644 packaging/linux/hwinspector.1 "$(DESTDIR)$(PREFIX)/share/man/man1/hwinspector.1"

uninstall:
	rm -f $(addprefix "$(DESTDIR)$(PREFIX)/,$(addsuffix ",$(INSTALLED)))

# Translations (README, "Translating"): the template from every marked text, then each language merged with it.
# After a merge that brought new texts: make pot, translate the new entries of po/*.po, make mo, and run
# tests/test_translations.py (it fails while an entry is untranslated or fuzzy).
POT := po/hwinspector.pot
pot:
	xgettext --language=Python --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=ngettext:1,2 \
	  --keyword=pgettext:1c,2 --add-comments=TRANSLATORS: --add-location=file --sort-by-file \
	  --package-name=hwinspector --package-version=$$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml) \
	  --msgid-bugs-address=https://github.com/hwinspector/hwinspector/issues \
	  --copyright-holder="hwinspector developers" -o $(POT) $$(find app widgets probes -name '*.py' | LC_ALL=C sort)
	for po in $(wildcard po/*.po); do msgmerge --quiet --update --backup=none --previous --add-location=file $$po $(POT); done

# The compiled catalogues under resources/locale (setup.py does the same for every build and make dev).
mo:
	$(PYTHON) po/msgfmt.py

clean:
	rm -rf $(VENV) $(CHECKBOX_VENV) build *.egg-info .mypy_cache .ruff_cache resources/locale
