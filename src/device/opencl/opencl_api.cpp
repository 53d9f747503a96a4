#include "opencl_api.hpp"

#include "../library_loader.hpp"

namespace theon::device::opencl {
namespace {

Api load() {
  std::string reasons;
  void* lib = open_library({"libOpenCL.so.1", "libOpenCL.so"}, reasons);
  if (!lib) {
    throw DeviceError("OpenCL is unavailable: libOpenCL could not be loaded (" + reasons +
                      "); install an OpenCL ICD loader and a driver (e.g. Debian's "
                      "ocl-icd-libopencl1 and pocl-opencl-icd)");
  }
  Api a;
  auto bind = [&](auto& fn, const char* name) {
    if (!bind_symbol(lib, fn, name)) {
      throw DeviceError(std::string("OpenCL is unavailable: libOpenCL lacks ") + name);
    }
  };
#define THEON_CL_BIND(name) bind(a.name, #name);
  THEON_CL_BIND(clGetPlatformIDs)
  THEON_CL_BIND(clGetPlatformInfo)
  THEON_CL_BIND(clGetDeviceIDs)
  THEON_CL_BIND(clGetDeviceInfo)
  THEON_CL_BIND(clCreateContext)
  THEON_CL_BIND(clReleaseContext)
  THEON_CL_BIND(clCreateCommandQueue)
  THEON_CL_BIND(clReleaseCommandQueue)
  THEON_CL_BIND(clCreateBuffer)
  THEON_CL_BIND(clReleaseMemObject)
  THEON_CL_BIND(clCreateProgramWithSource)
  THEON_CL_BIND(clBuildProgram)
  THEON_CL_BIND(clGetProgramBuildInfo)
  THEON_CL_BIND(clReleaseProgram)
  THEON_CL_BIND(clCreateKernel)
  THEON_CL_BIND(clReleaseKernel)
  THEON_CL_BIND(clSetKernelArg)
  THEON_CL_BIND(clEnqueueNDRangeKernel)
  THEON_CL_BIND(clEnqueueWriteBuffer)
  THEON_CL_BIND(clEnqueueReadBuffer)
  THEON_CL_BIND(clEnqueueCopyBuffer)
  THEON_CL_BIND(clFinish)
#undef THEON_CL_BIND
  return a;
}

}  // namespace

const Api& api() {
  return load_once(load);
}

std::string error_name(cl_int code) {
  const char* name = "an unknown OpenCL error";
  switch (code) {
#define THEON_CL_ERROR(e) \
  case e:                 \
    name = #e;            \
    break;
    THEON_CL_ERROR(CL_DEVICE_NOT_FOUND)
    THEON_CL_ERROR(CL_DEVICE_NOT_AVAILABLE)
    THEON_CL_ERROR(CL_COMPILER_NOT_AVAILABLE)
    THEON_CL_ERROR(CL_MEM_OBJECT_ALLOCATION_FAILURE)
    THEON_CL_ERROR(CL_OUT_OF_RESOURCES)
    THEON_CL_ERROR(CL_OUT_OF_HOST_MEMORY)
    THEON_CL_ERROR(CL_PROFILING_INFO_NOT_AVAILABLE)
    THEON_CL_ERROR(CL_MEM_COPY_OVERLAP)
    THEON_CL_ERROR(CL_BUILD_PROGRAM_FAILURE)
    THEON_CL_ERROR(CL_MAP_FAILURE)
    THEON_CL_ERROR(CL_MISALIGNED_SUB_BUFFER_OFFSET)
    THEON_CL_ERROR(CL_COMPILE_PROGRAM_FAILURE)
    THEON_CL_ERROR(CL_LINK_PROGRAM_FAILURE)
    THEON_CL_ERROR(CL_INVALID_VALUE)
    THEON_CL_ERROR(CL_INVALID_DEVICE_TYPE)
    THEON_CL_ERROR(CL_INVALID_PLATFORM)
    THEON_CL_ERROR(CL_INVALID_DEVICE)
    THEON_CL_ERROR(CL_INVALID_CONTEXT)
    THEON_CL_ERROR(CL_INVALID_QUEUE_PROPERTIES)
    THEON_CL_ERROR(CL_INVALID_COMMAND_QUEUE)
    THEON_CL_ERROR(CL_INVALID_HOST_PTR)
    THEON_CL_ERROR(CL_INVALID_MEM_OBJECT)
    THEON_CL_ERROR(CL_INVALID_BINARY)
    THEON_CL_ERROR(CL_INVALID_BUILD_OPTIONS)
    THEON_CL_ERROR(CL_INVALID_PROGRAM)
    THEON_CL_ERROR(CL_INVALID_PROGRAM_EXECUTABLE)
    THEON_CL_ERROR(CL_INVALID_KERNEL_NAME)
    THEON_CL_ERROR(CL_INVALID_KERNEL_DEFINITION)
    THEON_CL_ERROR(CL_INVALID_KERNEL)
    THEON_CL_ERROR(CL_INVALID_ARG_INDEX)
    THEON_CL_ERROR(CL_INVALID_ARG_VALUE)
    THEON_CL_ERROR(CL_INVALID_ARG_SIZE)
    THEON_CL_ERROR(CL_INVALID_KERNEL_ARGS)
    THEON_CL_ERROR(CL_INVALID_WORK_DIMENSION)
    THEON_CL_ERROR(CL_INVALID_WORK_GROUP_SIZE)
    THEON_CL_ERROR(CL_INVALID_WORK_ITEM_SIZE)
    THEON_CL_ERROR(CL_INVALID_GLOBAL_OFFSET)
    THEON_CL_ERROR(CL_INVALID_EVENT_WAIT_LIST)
    THEON_CL_ERROR(CL_INVALID_OPERATION)
    THEON_CL_ERROR(CL_INVALID_BUFFER_SIZE)
    THEON_CL_ERROR(CL_INVALID_GLOBAL_WORK_SIZE)
#undef THEON_CL_ERROR
    default:
      break;
  }
  return std::string(name) + " (" + std::to_string(code) + ")";
}

void check(cl_int code, const std::string& what) {
  if (code == CL_SUCCESS) return;
  const std::string message = what + " failed: " + error_name(code);
  if (code == CL_MEM_OBJECT_ALLOCATION_FAILURE || code == CL_OUT_OF_HOST_MEMORY) {
    throw MemoryError(message);
  }
  throw DeviceError(message);
}

}  // namespace theon::device::opencl
