// The saved-function format, version 1, little-endian:
//   magic "THEONFN\n", u32 version, graph bytes (a string; inputs and shared variables kept
//   outside), u64 input count, u64 default count, u64 output count, u64 update count,
//   per input its name and whether it has a default (u8), per output its borrow flag (u8),
//   the function's name, allow_input_downcast (u8), the resolved mode's name, nan_guard (u8),
//   nan_guard_big (f64), profiling (u8), the kernels' cache key.
// The graph's outputs are, in order: the inputs, the defaults (as constants), the outputs, the
// update values, the updated shared variables.
#include "theon/compile/saved_function.hpp"

#include "../graph/byte_io.hpp"
#include "theon/codegen/cache.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/serialize.hpp"

namespace theon {
namespace {

using byte_io::ByteReader;
using byte_io::ByteWriter;

constexpr std::string_view kMagic{"THEONFN\n", 8};
constexpr uint32_t kVersion = 1;

[[noreturn]] void corrupt(const std::string& why) {
  throw ValueError("saved function bytes are corrupt: " + why);
}

}  // namespace

std::string kernel_key(const Function& fn) {
  const std::string& source = fn.native().source();
  return source.empty() ? std::string() : codegen::module_key(source);
}

std::string save_function(const Function& fn, std::vector<Var>& leaves) {
  const std::string label = fn.name().empty() ? "function" : "function '" + fn.name() + "'";
  if (fn.mode().debug_checks) {
    throw NotImplementedError("save_function: " + label +
                              " was compiled in DebugMode, whose checks need the graph before "
                              "rewriting; compile it in another mode to save it");
  }
  const auto& updates = fn.options().updates;
  const std::vector<Var>& graph_outputs = fn.graph().outputs();
  const size_t n_out = fn.outputs().size();
  if (graph_outputs.size() != n_out + updates.size()) {
    throw Error(ErrorKind::Runtime,
                "save_function: " + label + " has " + std::to_string(graph_outputs.size()) +
                    " graph outputs for " + std::to_string(n_out) + " outputs and " +
                    std::to_string(updates.size()) + " updates");
  }
  std::vector<Var> roots;
  for (const In& in : fn.inputs()) roots.push_back(in.variable);
  uint64_t n_defaults = 0;
  for (const In& in : fn.inputs()) {
    if (in.value) {
      roots.push_back(make_constant(*in.value));
      ++n_defaults;
    }
  }
  roots.insert(roots.end(), graph_outputs.begin(), graph_outputs.end());
  for (const auto& [target, expr] : updates) roots.push_back(target);

  ByteWriter out;
  out.raw(kMagic);
  out.u32(kVersion);
  out.str(serialize(roots, leaves));
  out.u64(fn.inputs().size());
  out.u64(n_defaults);
  out.u64(n_out);
  out.u64(updates.size());
  for (const In& in : fn.inputs()) {
    out.str(in.name);
    out.u8(in.value ? 1 : 0);
  }
  for (const Out& o : fn.outputs()) out.u8(o.borrow ? 1 : 0);
  out.str(fn.name());
  out.u8(fn.options().allow_input_downcast ? 1 : 0);
  out.str(fn.mode().name);
  out.u8(fn.mode().nan_guard ? 1 : 0);
  out.f64(fn.mode().nan_guard_big);
  out.u8(fn.profiling() ? 1 : 0);
  out.str(kernel_key(fn));
  return std::move(out.bytes());
}

std::shared_ptr<Function> load_function(const std::string& bytes, const std::vector<Var>& leaves,
                                        std::string* saved_kernel_key) {
  ByteReader r(bytes);
  if (bytes.size() < kMagic.size() || r.view(kMagic.size(), "the header") != kMagic) {
    throw ValueError("not a saved Theon function (bad magic)");
  }
  const uint32_t version = r.u32("the version");
  if (version != kVersion) {
    throw ValueError("saved function has format version " + std::to_string(version) +
                     "; this build of Theon reads version " + std::to_string(kVersion) +
                     " (save it again with this version)");
  }
  const std::vector<Var> roots = deserialize(r.str("the graph"), &leaves);
  const uint64_t n_in = r.count("the input count", 9);
  const uint64_t n_defaults = r.u64("the default count");
  const uint64_t n_out = r.count("the output count", 1);
  const uint64_t n_upd = r.u64("the update count");
  // Each count is at most the number of roots, so their sum cannot overflow.
  for (uint64_t n : {n_in, n_defaults, n_out, n_upd}) {
    if (n > roots.size())
      corrupt("a count exceeds the graph's " + std::to_string(roots.size()) + " outputs");
  }
  if (n_defaults > n_in || n_in + n_defaults + n_out + 2 * n_upd != roots.size()) {
    corrupt("the counts do not add up to the graph's " + std::to_string(roots.size()) + " outputs");
  }
  std::vector<In> inputs;
  size_t next_default = n_in;
  for (uint64_t i = 0; i < n_in; ++i) {
    std::string name = r.str("an input name");
    const bool has_default = r.boolean("an input's default flag");
    const Var& v = roots[i];
    if (!v->is_input()) corrupt("input " + std::to_string(i) + " is not a free variable");
    std::optional<NDArray> value;
    if (has_default) {
      if (next_default >= n_in + n_defaults || !roots[next_default]->is_constant()) {
        corrupt("input " + std::to_string(i) + "'s default is not a constant");
      }
      value = *roots[next_default++]->constant;
    }
    inputs.emplace_back(v, std::move(name), std::move(value));
  }
  if (next_default != n_in + n_defaults) corrupt("defaults without inputs");
  const size_t first_out = n_in + n_defaults;
  std::vector<Out> outputs;
  for (uint64_t i = 0; i < n_out; ++i) {
    outputs.emplace_back(roots[first_out + i], r.boolean("an output's borrow flag"));
  }
  FunctionOptions options;
  for (uint64_t u = 0; u < n_upd; ++u) {
    const Var& target = roots[first_out + n_out + n_upd + u];
    if (!target->is_shared())
      corrupt("update " + std::to_string(u) + " is not of a shared variable");
    options.updates.emplace_back(target, roots[first_out + n_out + u]);
  }
  options.name = r.str("the function's name");
  options.allow_input_downcast = r.boolean("allow_input_downcast");
  options.mode.name = r.str("the mode");
  if (options.mode.name != "FAST_RUN" && options.mode.name != "FAST_COMPILE" &&
      options.mode.name != "NONE" && options.mode.name != "NanGuardMode") {
    corrupt("unknown mode '" + options.mode.name + "'");
  }
  options.mode.nan_guard = r.boolean("nan_guard");
  options.mode.nan_guard_big = r.f64("nan_guard_big");
  options.profile = r.boolean("profiling");
  std::string key = r.str("the kernels' cache key");
  if (saved_kernel_key) *saved_kernel_key = std::move(key);
  if (r.left() != 0) corrupt(std::to_string(r.left()) + " trailing bytes");
  options.no_default_updates = true;   // the saved updates include them
  options.on_unused_input = "ignore";  // checked when the function was compiled
  options.rewritten = true;
  return function(std::move(inputs), std::move(outputs), std::move(options));
}

}  // namespace theon
