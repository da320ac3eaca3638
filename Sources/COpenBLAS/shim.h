// OpenBLAS's CBLAS interface (sgemm), reached only from GalaxyKernels.
#ifndef GALAXYNET_COPENBLAS_SHIM_H
#define GALAXYNET_COPENBLAS_SHIM_H
#include <cblas.h>
// Thread control lives outside cblas.h in OpenBLAS.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif
