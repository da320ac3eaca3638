// OpenBLAS's CBLAS interface (types and enums); the functions are resolved at run time.
#ifndef GALAXYNET_COPENBLAS_SHIM_H
#define GALAXYNET_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
