// Graphs to bytes and back: a versioned little-endian binary format holding every variable the
// outputs depend on (inputs with their type and name, constants with their values, shared
// variables with their value cells, nodes with their op's type name and typed fields and the
// creation trace) and the outputs. Reading builds an equal graph: the same structure, equal ops,
// types, names and traces; shared variables that shared a cell share one again (a new cell,
// holding a copy of the value).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

std::string serialize(const std::vector<Var>& outputs);
// Throws ValueError naming what is wrong for bytes that are truncated, corrupt, of another
// version or holding an op this build has no factory for.
std::vector<Var> deserialize(const std::string& bytes);

// The same with the graph's inputs and shared variables kept outside the bytes: serialize
// writes each as its index in `leaves` (which it fills, in first-use order) and deserialize
// takes them from `leaves` (null: such bytes are rejected). Python's pickle uses this to keep
// one variable one object across the several graphs and functions of one file.
std::string serialize(const std::vector<Var>& outputs, std::vector<Var>& leaves);
std::vector<Var> deserialize(const std::string& bytes, const std::vector<Var>* leaves);

// A kind of non-tensor value (generator states, sparse matrices) that graphs may hold, by
// ValueKind::name(): the op file defining it registers it, so that types of that kind are
// written and read back. `check` says what is wrong with a type of that kind read from bytes
// (its dtype or static shape), "" when nothing is: the kind's ops rely on what it says.
using ValueKindTypeCheck = std::function<std::string(const Type&)>;
void register_value_kind(std::shared_ptr<const ValueKind> kind, ValueKindTypeCheck check);

}  // namespace theon
