// zlib, for reading gzip-compressed data files (MNIST sample).
#ifndef GALAXYNET_CZLIB_SHIM_H
#define GALAXYNET_CZLIB_SHIM_H
#include <zlib.h>
#endif
