#include "theon/graph/registry.hpp"

#include <mutex>

#include "theon/core/error.hpp"

namespace theon {
namespace {

std::map<std::string, BuilderEntry>& entries() {
  static std::map<std::string, BuilderEntry> m;
  return m;
}

std::string kind_name(const ParamValue& v) {
  switch (v.index()) {
    case 0:
      return "None";
    case 1:
      return "bool";
    case 2:
      return "int";
    case 3:
      return "float";
    case 4:
      return "str";
    default:
      return "list of int";
  }
}

[[noreturn]] void bad_param(const std::string& key, const std::string& expected,
                            const ParamValue& got) {
  throw TypeError("parameter '" + key + "': expected " + expected + ", got " + kind_name(got));
}

}  // namespace

const ParamValue& Params::at(const std::string& key) const {
  static const ParamValue none;
  auto it = values_.find(key);
  return it == values_.end() ? none : it->second;
}

bool Params::has(const std::string& key) const {
  return at(key).index() != 0;
}

int64_t Params::get_int(const std::string& key) const {
  const ParamValue& v = at(key);
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* b = std::get_if<bool>(&v)) return *b;
  bad_param(key, "an int", v);
}

int64_t Params::get_int(const std::string& key, int64_t fallback) const {
  return has(key) ? get_int(key) : fallback;
}

double Params::get_double(const std::string& key) const {
  const ParamValue& v = at(key);
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  bad_param(key, "a number", v);
}

bool Params::get_bool(const std::string& key, bool fallback) const {
  const ParamValue& v = at(key);
  if (v.index() == 0) return fallback;
  if (auto* b = std::get_if<bool>(&v)) return *b;
  if (auto* i = std::get_if<int64_t>(&v)) return *i != 0;
  bad_param(key, "a bool", v);
}

std::string Params::get_string(const std::string& key, const std::string& fallback) const {
  const ParamValue& v = at(key);
  if (v.index() == 0) return fallback;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  bad_param(key, "a string", v);
}

std::vector<int64_t> Params::get_ints(const std::string& key) const {
  const ParamValue& v = at(key);
  if (auto* l = std::get_if<std::vector<int64_t>>(&v)) return *l;
  if (auto* i = std::get_if<int64_t>(&v)) return {*i};
  bad_param(key, "an int or a list of ints", v);
}

std::optional<std::vector<int64_t>> Params::get_optional_ints(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return get_ints(key);
}

void register_builder(std::string name, int min_inputs, int max_inputs, Builder build) {
  std::string key = name;
  entries()[key] = BuilderEntry{std::move(name), min_inputs, max_inputs, std::move(build)};
}

void ensure_ops_registered() {
  // Registration itself looks ops up by name; those nested calls must not wait on themselves.
  static std::once_flag once;
  thread_local bool registering = false;
  if (registering) return;
  std::call_once(once, [] {
    registering = true;
    register_all_ops();
    registering = false;
  });
}

bool has_builder(const std::string& name) {
  ensure_ops_registered();
  return entries().count(name) != 0;
}

std::vector<Var> build(const std::string& name, const std::vector<Var>& inputs,
                       const Params& params) {
  ensure_ops_registered();
  auto it = entries().find(name);
  if (it == entries().end()) throw ValueError("no op or builder named '" + name + "'");
  const BuilderEntry& e = it->second;
  const int n = static_cast<int>(inputs.size());
  if (n < e.min_inputs || (e.max_inputs >= 0 && n > e.max_inputs)) {
    std::string expected = e.min_inputs == e.max_inputs
                               ? std::to_string(e.min_inputs)
                               : std::to_string(e.min_inputs) + " to " +
                                     (e.max_inputs < 0 ? "any" : std::to_string(e.max_inputs));
    throw TypeError(name + ": expected " + expected + " inputs, got " + std::to_string(n));
  }
  try {
    return e.build(inputs, params);
  } catch (const Error& err) {
    // Errors raised before any node exists (bad parameters) get the user's line too.
    const std::string what = err.what();
    const std::string& where = current_location();
    if (where.empty() || what.find("(node built at ") != std::string::npos) throw;
    rethrow_with_message(err, what + "\n  (node built at " + where + ")");
  }
}

namespace {

std::vector<PythonExport>& exports() {
  static std::vector<PythonExport> e;
  return e;
}

}  // namespace

void export_to_python(PythonExport e) {
  exports().push_back(std::move(e));
}

std::vector<PythonExport> python_exports() {
  ensure_ops_registered();
  return exports();
}

std::vector<std::string> builder_names() {
  ensure_ops_registered();
  std::vector<std::string> out;
  for (const auto& [k, _] : entries()) out.push_back(k);
  return out;
}

}  // namespace theon
