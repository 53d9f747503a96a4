# The OpenCL backend (src/device/opencl/) needs the Khronos headers only; it is built when they
# are found unless THEON_OPENCL=OFF. Without it, asking for an OpenCL device is a clear error.
find_path(THEON_OPENCL_INCLUDE_DIR CL/cl.h)
if(THEON_OPENCL_INCLUDE_DIR)
  set(_theon_opencl_default ON)
else()
  set(_theon_opencl_default OFF)
endif()
option(THEON_OPENCL "Build the OpenCL device backend (needs the OpenCL headers)"
       ${_theon_opencl_default})
if(THEON_OPENCL AND NOT THEON_OPENCL_INCLUDE_DIR)
  message(FATAL_ERROR "THEON_OPENCL=ON but CL/cl.h was not found; install the OpenCL headers "
                      "(Debian: opencl-headers) or configure with -DTHEON_OPENCL=OFF")
endif()
if(NOT THEON_OPENCL)
  list(FILTER THEON_SOURCES EXCLUDE REGEX "/src/device/opencl/")
endif()
message(STATUS "Theon OpenCL backend: ${THEON_OPENCL}")
