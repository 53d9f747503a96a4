// The vector math library the generated loops call for exp, log, tanh, ...: glibc's libmvec,
// SLEEF's 1-ulp functions, or none (the C library's scalar functions), as config.vector_math
// and what is installed decide.
#pragma once

#include <string>
#include <vector>

namespace theon::codegen {

// The compile flags selecting the library (a preprocessor define and the link flag); they
// enter the module cache key with the other flags, so that a change of library builds anew.
std::vector<std::string> vector_math_flags();

// The declarations a module needs for the library (after kVectorMath in its source): for
// SLEEF, its functions as the C functions' vector variants; "" for the others.
std::string vector_math_source();

}  // namespace theon::codegen
