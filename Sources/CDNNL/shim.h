// oneDNN 2.6 C API, reached only from GalaxyKernels.
#ifndef GALAXYNET_CDNNL_SHIM_H
#define GALAXYNET_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>

// The DNNL_ARG_* names are macro aliases of macros, which Swift does not import; re-export them.
static const int GN_ARG_SRC = DNNL_ARG_SRC;
static const int GN_ARG_DST = DNNL_ARG_DST;
static const int GN_ARG_WEIGHTS = DNNL_ARG_WEIGHTS;
static const int GN_ARG_BIAS = DNNL_ARG_BIAS;
static const int GN_ARG_DIFF_SRC = DNNL_ARG_DIFF_SRC;
static const int GN_ARG_DIFF_DST = DNNL_ARG_DIFF_DST;
static const int GN_ARG_DIFF_WEIGHTS = DNNL_ARG_DIFF_WEIGHTS;
static const int GN_ARG_DIFF_BIAS = DNNL_ARG_DIFF_BIAS;
static const int GN_ARG_WORKSPACE = DNNL_ARG_WORKSPACE;
static const int GN_ARG_SCRATCHPAD = DNNL_ARG_SCRATCHPAD;
static const int GN_ARG_FROM = DNNL_ARG_FROM;
static const int GN_ARG_TO = DNNL_ARG_TO;
#endif
