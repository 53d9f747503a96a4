#include "theon/core/config.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "theon/core/device.hpp"
#include "theon/core/error.hpp"

namespace theon {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool is_non_negative_int(const std::string& v) {
  return !v.empty() && v.size() < 6 && v.find_first_not_of("0123456789") == std::string::npos;
}

bool is_non_negative_number(const std::string& v) {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  return !v.empty() && end == v.c_str() + v.size() && d >= 0 && d < 1e6;
}

std::string default_cxx() {
  if (const char* cxx = std::getenv("CXX"); cxx != nullptr && *cxx != '\0') return cxx;
  return "g++";
}

// $XDG_CACHE_HOME/theon, else ~/.cache/theon, else a directory under /tmp named by user id.
std::string default_compiledir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/theon";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/.cache/theon";
  }
  return "/tmp/theon-" + std::to_string(::getuid());
}

void define_core_flags(Config& c) {
  c.define({"floatX",
            "float64",
            "dtype of tensors built without an explicit dtype",
            {"float64", "float32"},
            nullptr});
  c.define({"device",
            "cpu",
            "where functions run: 'cpu', or a GPU ('cuda', 'cuda0', 'opencl0:0', ...) onto which "
            "the whole graph is placed, with transfers at its inputs and outputs",
            {},
            [](const std::string& v) {
              try {
                parse_device(v);
                return true;
              } catch (const Error&) {
                return false;
              }
            }});
  c.define({"on_unused_input",
            "raise",
            "what function() does with an input the outputs do not use",
            {"raise", "warn", "ignore"},
            nullptr});
  c.define({"compute_test_value",
            "off",
            "compute values of the graph while it is built, from the test values of its inputs "
            "(var.tag.test_value); 'raise'/'warn' on an input without one, 'ignore' skips",
            {"off", "ignore", "warn", "raise"},
            nullptr});
  c.define({"mode",
            "FAST_RUN",
            "default compile mode of function()",
            {"FAST_RUN", "FAST_COMPILE", "NONE"},
            nullptr});
  c.define(
      {"optimizer_including", "", "rewrites (names or tags, ':'-separated) to add", {}, nullptr});
  c.define({"optimizer_excluding",
            "",
            "rewrites (names or tags, ':'-separated) to remove",
            {},
            nullptr});
  c.define({"fast_math",
            "False",
            "whether optimizing also applies the rewrites tagged fast_math, which assume float "
            "operands finite (x - x -> 0, x * 0 -> 0) and reassociate float sums and products",
            {"False", "True"},
            nullptr});
  c.define({"optimizer_print_passes",
            "False",
            "whether compiling prints the graph to stderr after each rewrite pass",
            {"False", "True"},
            nullptr});
  c.define({"exception_verbosity",
            "low",
            "'high' adds the inputs' strides and the failing node's subgraph to run-time errors",
            {"low", "high"},
            nullptr});
  c.define({"profile",
            "False",
            "whether function() records per-node times (f.profile.summary())",
            {"False", "True"},
            nullptr});
  c.define({"num_threads",
            "0",
            "threads for large elementwise and reduction kernels (0: every core)",
            {},
            [](const std::string& v) { return is_non_negative_int(v); }});
  c.define({"cxx",
            default_cxx(),
            "C++ compiler for generated kernels; empty: run the precompiled kernels only",
            {},
            nullptr});
  // 512-bit vectors where the processor has them: GCC's -march=native keeps Intel's AVX-512
  // processors at 256 bits, which halves the width of libmvec's exp, log, tanh, ... (float64
  // tanh/exp/log at 10^5: 0.75/0.93/0.90x the 256-bit time, tanh(exp(-x) * log(x)) 0.66x;
  // BENCHMARKS.md, issue 20 item 4). Elsewhere the flag changes nothing.
  c.define({"cxxflags",
            "-O3 -march=native -mprefer-vector-width=512",
            "flags for compiling generated kernels",
            {},
            nullptr});
  c.define({"vector_math",
            "auto",
            "vector math library of generated loops for exp, log, tanh, ...: 'libmvec' "
            "(glibc's, within 4 ulp), 'sleef' (SLEEF's, within 1 ulp, where so over the whole "
            "domain), 'scalar' (none); 'auto': libmvec, else SLEEF, whichever is installed; a "
            "library not installed means 'scalar'",
            {"auto", "libmvec", "sleef", "scalar"},
            nullptr});
  c.define({"compiledir",
            default_compiledir(),
            "directory of the on-disk cache of compiled kernels (created 0700)",
            {},
            nullptr});
  c.define({"warn_float64",
            "ignore",
            "what building a float64 variable does (Theano's flag, for code meant to run in "
            "float32): ignore, warn or raise",
            {"ignore", "warn", "raise"},
            nullptr});
  c.define({"compile_wait",
            "False",
            "whether function() waits for its generated kernels to compile instead of starting "
            "on the precompiled kernels",
            {"False", "True"},
            nullptr});
  c.define({"compile_exit_wait",
            "10",
            "seconds a process at exit waits for its background compiles, so that their modules "
            "reach the cache",
            {},
            [](const std::string& v) { return is_non_negative_number(v); }});
  c.define({"compile_jobs",
            "0",
            "most compilers running at once in all processes sharing config.compiledir (0: the "
            "number of processors)",
            {},
            [](const std::string& v) { return is_non_negative_int(v); }});
}

std::string default_rc_path() {
  if (const char* rc = std::getenv("THEONRC")) return rc;
  if (const char* home = std::getenv("HOME")) return std::string(home) + "/.theonrc";
  return "";
}

}  // namespace

Config& Config::global() {
  static Config* config = [] {
    auto* c = new Config();
    define_core_flags(*c);
    std::string rc = default_rc_path();
    if (!rc.empty()) {
      std::ifstream in(rc);
      if (in) {
        std::stringstream ss;
        ss << in.rdbuf();
        c->apply_rc_text(ss.str(), rc);
      }
    }
    if (const char* flags = std::getenv("THEON_FLAGS")) c->apply_flag_string(flags, "THEON_FLAGS");
    return c;
  }();
  return *config;
}

void Config::define(FlagSpec spec) {
  std::string name = spec.name;
  std::string value = spec.default_value;
  flags_[name] = Flag{std::move(spec), std::move(value)};
}

const Config::Flag& Config::flag(const std::string& name) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) {
    std::string known;
    for (const auto& [k, _] : flags_) known += (known.empty() ? "" : ", ") + k;
    throw ValueError("config: unknown flag '" + name + "'; known flags: " + known);
  }
  return it->second;
}

const std::string& Config::get(const std::string& name) const {
  return flag(name).value;
}
const FlagSpec& Config::spec(const std::string& name) const {
  return flag(name).spec;
}

std::vector<std::string> Config::names() const {
  std::vector<std::string> out;
  for (const auto& [k, _] : flags_) out.push_back(k);
  return out;
}

void Config::set(const std::string& name, const std::string& value) {
  const Flag& f = flag(name);
  bool ok = true;
  if (!f.spec.choices.empty()) {
    ok = false;
    for (const auto& c : f.spec.choices) ok = ok || c == value;
  }
  if (ok && f.spec.validate) ok = f.spec.validate(value);
  if (!ok) {
    std::string msg = "config: bad value '" + value + "' for flag '" + name + "'";
    if (!f.spec.choices.empty()) {
      std::string allowed;
      for (const auto& c : f.spec.choices) allowed += (allowed.empty() ? "" : ", ") + c;
      msg += "; expected one of " + allowed;
    }
    throw ValueError(msg);
  }
  flags_[name].value = value;
}

void Config::apply_flag_string(const std::string& flags, const std::string& source) {
  std::stringstream ss(flags);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      throw ValueError(source + ": expected name=value, got '" + item + "'");
    }
    try {
      set(trim(item.substr(0, eq)), trim(item.substr(eq + 1)));
    } catch (const Error& e) {
      rethrow_with_message(e, source + ": " + e.what());
    }
  }
}

void Config::apply_rc_text(const std::string& text, const std::string& source) {
  std::stringstream ss(text);
  std::string line;
  int lineno = 0;
  while (std::getline(ss, line)) {
    ++lineno;
    line = trim(line.substr(0, line.find_first_of("#;")));
    if (line.empty() || line.front() == '[') continue;
    size_t eq = line.find('=');
    std::string where = source + ":" + std::to_string(lineno);
    if (eq == std::string::npos) throw ValueError(where + ": expected 'name = value'");
    try {
      set(trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
    } catch (const Error& e) {
      rethrow_with_message(e, where + ": " + e.what());
    }
  }
}

std::string config_floatX() {
  return Config::global().get("floatX");
}

}  // namespace theon
