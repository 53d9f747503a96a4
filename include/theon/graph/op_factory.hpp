// The op factory registry: every op class registers how to rebuild an op from its type name
// and typed fields (Op::fields()), so a graph read back from bytes gets equal ops. Each op
// family registers its factories in its registration function (src/ops/register_all.cpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "theon/graph/props.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// Builds the op from its fields, validating them (ValueError for a missing field, a value of
// the wrong kind or out of range).
using OpFactory = std::function<OpPtr(const PropReader& fields)>;

void register_op_factory(std::string type_name, OpFactory factory);
// Rebuilds the op `type_name` with these fields. Throws ValueError for an unknown type name, for
// fields the factory rejects, and for fields that do not describe the op exactly (extra or
// non-canonical fields: the rebuilt op's type name and fields must equal the given ones).
OpPtr make_op(const std::string& type_name, const Props& fields);
bool has_op_factory(const std::string& type_name);
std::vector<std::string> op_factory_names();

}  // namespace theon
