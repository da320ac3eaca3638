// Open MPI (Debian libopenmpi-dev) for Swift. MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM and friends are
// macros over addresses of library globals, which Swift cannot import: these inline functions
// hand them over.
#include <mpi.h>

static inline MPI_Comm gn_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype gn_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype gn_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype gn_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Op gn_mpi_sum(void) { return MPI_SUM; }
static inline void *gn_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Request gn_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *gn_mpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
static inline int gn_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
