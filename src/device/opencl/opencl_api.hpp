// The OpenCL entry points Theon uses, found in libOpenCL at run time (dlopen), so that the
// library builds against the Khronos headers alone and imports on machines without OpenCL.
#pragma once

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <CL/cl_ext.h>

#include <string>

namespace theon::device::opencl {

struct Api {
#define THEON_CL_FN(name) decltype(&::name) name = nullptr;
  THEON_CL_FN(clGetPlatformIDs)
  THEON_CL_FN(clGetPlatformInfo)
  THEON_CL_FN(clGetDeviceIDs)
  THEON_CL_FN(clGetDeviceInfo)
  THEON_CL_FN(clCreateContext)
  THEON_CL_FN(clReleaseContext)
  THEON_CL_FN(clCreateCommandQueue)
  THEON_CL_FN(clReleaseCommandQueue)
  THEON_CL_FN(clCreateBuffer)
  THEON_CL_FN(clReleaseMemObject)
  THEON_CL_FN(clCreateProgramWithSource)
  THEON_CL_FN(clBuildProgram)
  THEON_CL_FN(clGetProgramBuildInfo)
  THEON_CL_FN(clReleaseProgram)
  THEON_CL_FN(clCreateKernel)
  THEON_CL_FN(clReleaseKernel)
  THEON_CL_FN(clSetKernelArg)
  THEON_CL_FN(clEnqueueNDRangeKernel)
  THEON_CL_FN(clEnqueueWriteBuffer)
  THEON_CL_FN(clEnqueueReadBuffer)
  THEON_CL_FN(clEnqueueCopyBuffer)
  THEON_CL_FN(clFinish)
#undef THEON_CL_FN
};

// The loaded API; throws DeviceError naming the library and dlerror's reason when libOpenCL
// or one of its functions cannot be found.
const Api& api();

// "CL_OUT_OF_RESOURCES (-5)".
std::string error_name(cl_int code);
// Throws DeviceError "`what` failed: CL_... (n)" unless `code` is CL_SUCCESS.
void check(cl_int code, const std::string& what);

}  // namespace theon::device::opencl
