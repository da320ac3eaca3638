// libjpeg-turbo's TurboJPEG API, for the imaging module.
#ifndef GALAXYNET_CTURBOJPEG_SHIM_H
#define GALAXYNET_CTURBOJPEG_SHIM_H
#include <turbojpeg.h>
#endif
