// A machine-wide bound on the compilers running at once: every process sharing a compiledir
// takes one of N slots (an flock on compiledir/compile-slot-K.lock) before it starts the compiler,
// so 16 functions built at once in any number of processes run at most N compilers. The kernel
// releases a dead process's flock, so a slot is never lost.
#pragma once

#include <string>

#include "trusted_fs.hpp"

namespace theon::codegen {

// config.compile_jobs, or the number of online processors when it is 0.
int compile_jobs();

// Holds one of `slots` slots under `root` from construction until destruction; construction
// waits until one is free.
class CompilerSlot {
 public:
  CompilerSlot(const std::string& root, int slots);
  CompilerSlot(const CompilerSlot&) = delete;
  CompilerSlot& operator=(const CompilerSlot&) = delete;

 private:
  Fd held_;  // closing it releases the flock
};

}  // namespace theon::codegen
