// The registry of graph builders by name: every op (and every composite such as mean or var)
// is reachable by name with a list of input variables and a dictionary of parameters, which is
// what the Python binding calls. Families register theirs in one function each.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

using ParamValue =
    std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<int64_t>>;

class Params {
 public:
  Params() = default;
  explicit Params(std::map<std::string, ParamValue> values) : values_(std::move(values)) {}
  void set(const std::string& key, ParamValue v) { values_[key] = std::move(v); }
  bool has(const std::string& key) const;  // present and not None
  int64_t get_int(const std::string& key) const;
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key, bool fallback) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> get_ints(const std::string& key) const;  // an int becomes [int]
  // None -> nullopt; an int or a list of ints -> the list.
  std::optional<std::vector<int64_t>> get_optional_ints(const std::string& key) const;
  const std::map<std::string, ParamValue>& values() const { return values_; }

 private:
  const ParamValue& at(const std::string& key) const;
  std::map<std::string, ParamValue> values_;
};

using Builder = std::function<std::vector<Var>(const std::vector<Var>& inputs, const Params&)>;

struct BuilderEntry {
  std::string name;
  int min_inputs;
  int max_inputs;  // -1: any number
  Builder build;
};

void register_builder(std::string name, int min_inputs, int max_inputs, Builder build);
// Builds by name; checks the number of inputs.
std::vector<Var> build(const std::string& name, const std::vector<Var>& inputs,
                       const Params& params);
std::vector<std::string> builder_names();
bool has_builder(const std::string& name);

// How a builder appears in Python: as theon.<module>.<name>, with `doc` as its docstring. An
// elementwise one takes Python scalars as NumPy 2's weak scalars and arrays as constants.
struct PythonExport {
  std::string module;  // "tensor", "tensor.nnet"
  std::string name;
  std::string builder;
  std::string doc;
  bool elementwise = false;
  int inputs = 1;  // leading positional arguments that are variables
  // Parameters, in the order they may follow the inputs positionally (np.flip(m, axis)).
  std::vector<std::string> params;
};
void export_to_python(PythonExport e);
std::vector<PythonExport> python_exports();

// Opens the registration that closes an op file: the body registers the file's ops, builders,
// kernels and Python names. CMake finds every line starting with THEON_OP_FILE(name) in
// src/ops and generates register_op_files(), so a new op file edits no list.
#define THEON_OP_FILE(name) void theon_op_file_##name()
void register_op_files();

// Registers every op family (defined in src/ops/register_all.cpp).
void register_all_ops();
// Runs register_all_ops once per process; every lookup by name calls it first.
void ensure_ops_registered();

}  // namespace theon
