// CLBlast's gemm, found in libclblast at run time (dlopen) like libOpenCL, so that BLAS on an
// OpenCL device is there where the library is installed and skipped (host BLAS) elsewhere.
#pragma once

#include <string>

#include "opencl_api.hpp"

namespace theon::device::opencl {

// CLBlast's C API values (clblast_c.h): row-major layout, no transpose, transpose.
enum ClblastLayout : int { kClblastRowMajor = 101 };
enum ClblastTranspose : int { kClblastNoTrans = 111, kClblastTrans = 112 };

template <class T>
using ClblastGemm = int (*)(ClblastLayout, ClblastTranspose, ClblastTranspose, size_t m, size_t n,
                            size_t k, T alpha, cl_mem a, size_t a_offset, size_t a_ld, cl_mem b,
                            size_t b_offset, size_t b_ld, T beta, cl_mem c, size_t c_offset,
                            size_t c_ld, cl_command_queue* queue, cl_event* event);

struct Clblast {
  ClblastGemm<float> sgemm = nullptr;
  ClblastGemm<double> dgemm = nullptr;
};

// The loaded library, or null when it is absent (`why` then says what failed).
const Clblast* clblast(std::string* why = nullptr);

}  // namespace theon::device::opencl
