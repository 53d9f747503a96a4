# The CUDA backend (src/device/cuda/) needs the toolkit's headers only (cuda.h, nvrtc.h,
# cublas_v2.h and what they include); libcuda, libnvrtc and libcublas are loaded at run time, so
# the library builds, imports and runs on machines without a driver. Built when the headers are
# found (CUDAToolkit's include folders, /usr/local/cuda/include, or THEON_CUDA_INCLUDE_DIRS)
# unless THEON_CUDA=OFF; without it, asking for a CUDA device is a clear error.
find_package(CUDAToolkit QUIET)
set(THEON_CUDA_INCLUDE_DIRS "" CACHE STRING "Extra folders to search for the CUDA headers")
set(_theon_cuda_found ON)
set(THEON_CUDA_HEADER_DIRS)
foreach(_header cuda.h nvrtc.h cublas_v2.h)
  string(MAKE_C_IDENTIFIER "THEON_CUDA_${_header}_DIR" _var)
  find_path(${_var} ${_header}
            HINTS ${THEON_CUDA_INCLUDE_DIRS} ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include)
  if(${_var})
    list(APPEND THEON_CUDA_HEADER_DIRS ${${_var}})
  else()
    set(_theon_cuda_found OFF)
  endif()
endforeach()
list(REMOVE_DUPLICATES THEON_CUDA_HEADER_DIRS)
option(THEON_CUDA "Build the CUDA device backend (needs the CUDA toolkit's headers)"
       ${_theon_cuda_found})
if(THEON_CUDA AND NOT _theon_cuda_found)
  message(FATAL_ERROR "THEON_CUDA=ON but cuda.h, nvrtc.h or cublas_v2.h was not found; install "
                      "the CUDA toolkit, name its include folders in THEON_CUDA_INCLUDE_DIRS, or "
                      "configure with -DTHEON_CUDA=OFF")
endif()
if(NOT THEON_CUDA)
  list(FILTER THEON_SOURCES EXCLUDE REGEX "/src/device/cuda/")
endif()
message(STATUS "Theon CUDA backend: ${THEON_CUDA} ${THEON_CUDA_HEADER_DIRS}")
