// cfitsio (Debian libcfitsio-dev), reached only from GalaxyFITS. Its fits_* names are macros
// over the ff* functions; Swift calls the ff* functions directly.
#include <fitsio.h>
