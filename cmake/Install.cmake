# Installs the C++ library, its headers and a CMake package config (find_package(theon)).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
if(NOT SKBUILD)
  install(TARGETS theon EXPORT theonTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY include/theon DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT theonTargets NAMESPACE theon:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/theon)
  configure_package_config_file(cmake/theonConfig.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/theonConfig.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/theon)
  write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/theonConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/theonConfig.cmake
    ${CMAKE_CURRENT_BINARY_DIR}/theonConfigVersion.cmake
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/theon)
endif()
