// The VM: runs a linked program (ordered instructions over numbered storage slots) without
// touching Python. Each instruction calls one op's kernel; storage is released after its last use.
#pragma once

#include <vector>

#include "theon/core/ndarray.hpp"
#include "theon/graph/variable.hpp"
#include "theon/runtime/buffer_pool.hpp"

namespace theon {

struct Instruction {
  Apply* node;               // for the op and for error messages
  std::vector<int> in;       // input slots
  std::vector<int> out;      // output slots
  std::vector<int> release;  // slots whose last reader is this instruction
};

struct Program {
  std::vector<Instruction> code;
  int num_slots = 0;
};

class VM {
 public:
  explicit VM(Program program) : program_(std::move(program)) {}
  // Runs every instruction over `slots` (sized num_slots, with inputs, constants and shared
  // values filled in). On failure rethrows the op's error with the node's context.
  void run(std::vector<NDArray>& slots);
  const Program& program() const { return program_; }

 private:
  Program program_;
  BufferPool pool_;
  std::vector<NDArray> args_;
  std::vector<NDArray> results_;
};

}  // namespace theon
