# BLAS: OpenBLAS from the scipy-openblas32 wheel (symbols prefixed scipy_) when Python has it,
# else the system's CBLAS. Exposed as the interface target theon_blas.
add_library(theon_blas INTERFACE)
set(THEON_BLAS_LIB "")
if(Python_EXECUTABLE)
  execute_process(
    COMMAND ${Python_EXECUTABLE} -c
      "import scipy_openblas32 as s, os; print(os.path.join(s.get_lib_dir(), 'lib' + s.get_library() + '.so'))"
    OUTPUT_VARIABLE _openblas_lib OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rc)
  if(_rc EQUAL 0 AND EXISTS "${_openblas_lib}")
    set(THEON_BLAS_LIB "${_openblas_lib}")
    get_filename_component(THEON_BLAS_LIBDIR "${_openblas_lib}" DIRECTORY)
    target_compile_definitions(theon_blas INTERFACE THEON_CBLAS_PREFIX=scipy_)
    message(STATUS "Theon BLAS: scipy-openblas32 (${THEON_BLAS_LIB})")
  endif()
endif()
if(NOT THEON_BLAS_LIB)
  find_package(BLAS REQUIRED)
  find_package(LAPACK REQUIRED)  # the wheel's library holds LAPACK too; a system BLAS may not
  set(THEON_BLAS_LIB "${LAPACK_LIBRARIES}" "${BLAS_LIBRARIES}")
  message(STATUS "Theon BLAS: system (${THEON_BLAS_LIB})")
endif()
target_link_libraries(theon_blas INTERFACE ${THEON_BLAS_LIB})
