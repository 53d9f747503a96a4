// The MPI world (mpi_world.cpp, compiled only when CMake finds MPI; THEON_HAVE_MPI is then
// defined for communicator.cpp).
#pragma once

#include <memory>

#include "theon/core/communicator.hpp"

namespace theon {

#ifdef THEON_HAVE_MPI
// Initializes MPI unless something else (mpi4py) already did, and returns a world on a
// duplicate of MPI_COMM_WORLD, so Theon's messages never mix with the user's.
std::unique_ptr<Communicator> make_mpi_world(double timeout_seconds);
#endif

}  // namespace theon
