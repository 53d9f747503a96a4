#include "theon/graph/op_factory.hpp"

#include <map>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/registry.hpp"

namespace theon {
namespace {

std::map<std::string, OpFactory>& factories() {
  static std::map<std::string, OpFactory> m;
  return m;
}

}  // namespace

void register_op_factory(std::string type_name, OpFactory factory) {
  factories()[std::move(type_name)] = std::move(factory);
}

OpPtr make_op(const std::string& type_name, const Props& fields) {
  ensure_ops_registered();
  auto it = factories().find(type_name);
  if (it == factories().end())
    throw ValueError("no op factory for the op type '" + type_name + "'");
  OpPtr op = it->second(PropReader(type_name, fields));
  if (op->type_name() != type_name || op->fields() != fields) {
    throw ValueError(type_name + ": the properties {" + props_str(fields) +
                     "} do not describe an op exactly (they rebuild " + op->type_name() + "{" +
                     props_str(op->fields()) + "})");
  }
  return op;
}

bool has_op_factory(const std::string& type_name) {
  ensure_ops_registered();
  return factories().count(type_name) != 0;
}

std::vector<std::string> op_factory_names() {
  ensure_ops_registered();
  std::vector<std::string> out;
  for (const auto& [name, _] : factories()) out.push_back(name);
  return out;
}

}  // namespace theon
