# Op files close with THEON_OP_FILE(name) { ... } (include/theon/graph/registry.hpp). This finds
# them in src/ops and generates the function that calls each registration. Every op source is a
# configure dependency, so a THEON_OP_FILE line added to an existing file is found as well.
file(GLOB_RECURSE THEON_OP_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/ops/*.cpp)
set(THEON_OP_FILE_DECLS "")
set(THEON_OP_FILE_CALLS "")
foreach(source ${THEON_OP_SOURCES})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
  file(STRINGS ${source} registrations REGEX "^THEON_OP_FILE\\([a-z0-9_]+\\)")
  foreach(line ${registrations})
    string(REGEX REPLACE "^THEON_OP_FILE\\(([a-z0-9_]+)\\).*" "\\1" name "${line}")
    string(APPEND THEON_OP_FILE_DECLS "void theon_op_file_${name}();\n")
    string(APPEND THEON_OP_FILE_CALLS "  theon_op_file_${name}();\n")
  endforeach()
endforeach()
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/op_files.cpp.in
               ${CMAKE_CURRENT_BINARY_DIR}/generated/op_files.cpp @ONLY)
