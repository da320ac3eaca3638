# GalaxyNet — the two set-up commands (README): `make demo` and `make test`.
# Both install the Debian packages the C shims need when they are missing.

DEB_PACKAGES := libdnnl-dev libopenblas-dev libopenblas0-openmp libturbojpeg0-dev zlib1g-dev libopenmpi-dev openmpi-bin libcfitsio-dev
# Only the tests need these: rsvg-convert renders the plots to check where their text lands;
# headless Chromium and its driver load the web page `galaxynet serve` serves.
TEST_DEB_PACKAGES := librsvg2-bin chromium chromium-driver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps testdeps pydeps slurmdeps build demo test bench kernel-libraries fuzz docs clean

deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

testdeps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(TEST_DEB_PACKAGES)"

# The tests read FITS tables GalaxyNet writes with an independent reader (astropy, from PyPI) and
# check the vote-count likelihood against an independent implementation (SciPy ≥ 1.11's
# scipy.stats.dirichlet_multinomial); Pillow reads the plots rsvg-convert renders; the server is
# spoken to by Triton's own client (tritonclient[http]) and its page driven by selenium.
pydeps:
	@python3 -c "import astropy" 2>/dev/null || python3 -m pip install --quiet astropy
	@python3 -c "from scipy.stats import dirichlet_multinomial" 2>/dev/null || python3 -m pip install --quiet "scipy>=1.11"
	@python3 -c "import PIL" 2>/dev/null || python3 -m pip install --quiet pillow
	@python3 -c "import tritonclient.http" 2>/dev/null || python3 -m pip install --quiet "tritonclient[http]==2.73.0"
	@python3 -c "import selenium" 2>/dev/null || python3 -m pip install --quiet "selenium>=4.20,<5"

# The Slurm tests start a private slurmctld and slurmd as root (contrib/slurm/local-cluster.sh)
# from Debian's slurm-wlm and munge; where those cannot be installed the tests skip, saying why.
slurmdeps:
	@if [ ! -x /usr/sbin/slurmctld ] || [ ! -x /usr/sbin/munged ]; then \
		if [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1; then \
			echo "Installing Debian packages: slurm-wlm munge"; \
			$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq slurm-wlm munge \
				|| echo "note: slurm-wlm and munge could not be installed: the Slurm tests will skip"; \
		else echo "note: not root and no sudo: the Slurm tests will skip"; fi; \
	fi

build: deps
	swift build -c release

# The main job on built-in data: mock universe → two trained models → TTA → blend → submission
# and report (about ten minutes on two cores). Each run writes a new demo-output-<time> folder.
demo: build
	.build/release/galaxynet demo --out demo-output-$$(date +%Y%m%d-%H%M%S)

# Build every test target first so a compile error fails loudly, then run the suite.
# Release mode: the end-to-end tests train real models and the CLI tests run the real binary.
test: deps testdeps pydeps slurmdeps
	swift build -c release --build-tests
	swift test -c release --skip-build

# A long fuzzing session of every file reader (make test runs 300 inputs per target).
fuzz: deps
	swift build -c release --build-tests
	GALAXYNET_FUZZ_ITERATIONS=$${ITERATIONS:-20000} swift test -c release --skip-build --filter FuzzTests

# The option reference, from the verbs' own help (a CLI test checks it is current).
docs: build
	.build/release/galaxynet reference --out docs/cli.md

bench: build
	.build/release/galaxynet bench kernels

# The kernel libraries compared (docs/performance.md): PyPI's oneDNN 2026.1 and MKL 2026.2, pinned,
# into .deps/ (about 2.7 GB: oneDNN's wheel brings its SYCL and TBB runtimes), beside Debian's
# oneDNN 2.6 and OpenBLAS, which GalaxyNet builds against.
kernel-libraries: build
	@[ -e .deps/onednn-2026.1.0/lib/libdnnl.so.3 ] || python3 -m pip install --quiet --prefix .deps/onednn-2026.1.0 onednn-devel==2026.1.0
	@[ -e .deps/mkl-2026.2.1/lib/libmkl_rt.so.3 ] || python3 -m pip install --quiet --no-deps --prefix .deps/mkl-2026.2.1 mkl==2026.2.1
	bench/kernel-libraries.sh 2

clean:
	rm -rf .build
