// The C++ compiler driver of the kernel cache: the command line, running it, and the identity
// of the compiler and the processor that go into a module's cache key.
#pragma once

#include <string>
#include <vector>

namespace theon::codegen {

std::vector<std::string> split_words(const std::string& s);

// config.cxx and config.cxxflags with the flags every module needs, compiling `source` to the
// shared library `library`.
std::vector<std::string> compile_command(const std::string& source, const std::string& library);

// Runs argv with stdout and stderr into log_path; returns the exit status (-1: did not start).
int run_process(const std::vector<std::string>& argv, const std::string& log_path);

// What besides the source decides the module built: the compiler (its --version banner, so an
// upgrade makes new keys), the flags and the processor (for -march=native).
std::string build_identity();

}  // namespace theon::codegen
