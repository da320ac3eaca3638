#!/bin/bash
# The kernel libraries side by side: Debian's oneDNN 2.6 + OpenBLAS 0.3.21 (what GalaxyNet links
# and loads) against PyPI's oneDNN 2026.1 (onednn-devel) for the convolutions and MKL 2026.2
# for the dense layers' sgemm, on the native ISA and with AVX2 emulated, interleaved.
#
#     make kernel-libraries        # installs the two PyPI libraries, pinned, into .deps/, then runs this
#     bench/kernel-libraries.sh [ROUNDS] [GALAXYNET]
#
# The convolutions: bench/onednn-conv-bench.c built against each oneDNN (the best model's four
# convolutions at 16 images, forward and both backward passes, oneDNN's own layouts). The dense
# layers: `galaxynet bench kernels` with OpenBLAS and with MKL loaded in its place
# (OPENBLAS_LIBRARY; MKL in its GNU OpenMP layer, so it shares oneDNN's thread pool, and in
# strict CNR mode, whose sgemm results do not depend on the thread count).
set -euo pipefail
rounds=${1:-2}
galaxynet=${2:-.build/release/galaxynet}
deps=${DEPS:-.deps}
onednn=$deps/onednn-2026.1.0
mkl=$deps/mkl-2026.2.1
[ -e "$onednn/lib/libdnnl.so.3" ] || { echo "run make kernel-libraries first (installs $onednn)"; exit 1; }
[ -e "$mkl/lib/libmkl_rt.so.3" ] || { echo "run make kernel-libraries first (installs $mkl)"; exit 1; }
cc -O2 bench/onednn-conv-bench.c -ldnnl -o "$deps/conv-bench-debian"
cc -O2 -I"$onednn/include" bench/onednn-conv-bench.c -L"$onednn/lib" -Wl,-rpath,"$(cd "$onednn/lib" && pwd)" -ldnnl -o "$deps/conv-bench-pypi"
mklenv=(LD_LIBRARY_PATH="$mkl/lib" OPENBLAS_LIBRARY="$mkl/lib/libmkl_rt.so.3" MKL_THREADING_LAYER=GNU MKL_INTERFACE_LAYER=LP64)
for round in $(seq "$rounds"); do
  for path in native avx2; do
    isa=(); [ "$path" = avx2 ] && isa=(DNNL_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell MKL_ENABLE_INSTRUCTIONS=AVX2)
    cnr=AVX512,STRICT; [ "$path" = avx2 ] && cnr=AVX2,STRICT
    echo "== round $round, $path"
    env "${isa[@]}" "$deps/conv-bench-debian" 20 | sed 's/^/debian-onednn /'
    # PyPI's build runs its CPU engine through SYCL: the OpenCL CPU runtime of the same wheels.
    env "${isa[@]}" LD_LIBRARY_PATH="$onednn/lib" OCL_ICD_FILENAMES="$onednn/lib/libintelocl.so" "$deps/conv-bench-pypi" 20 \
      | grep -v '^onednn_verbose' | sed 's/^/pypi-onednn   /'
    env "${isa[@]}" "$galaxynet" bench kernels --runs 5 --images 16 | grep -E '^(sgemm|dense|output)' | sed 's/^/openblas      /'
    env "${isa[@]}" "${mklenv[@]}" MKL_CBWR=$cnr "$galaxynet" bench kernels --runs 5 --images 16 | grep -E '^(sgemm|dense|output)' | sed 's/^/mkl-strict    /'
  done
done
