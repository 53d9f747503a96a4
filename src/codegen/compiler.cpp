#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

#include "compiler_detail.hpp"
#include "theon/codegen/cache.hpp"
#include "theon/core/config.hpp"
#include "vector_math.hpp"

extern char** environ;

namespace theon::codegen {
namespace {

// Flags every module needs whatever config.cxxflags says. (Not -fno-math-errno: see the vector
// math declarations in emit.cpp.) -ffp-contract=off: a fused kernel computes what the
// reference kernels compute, and GCC would otherwise contract -((x + x) - x) into a fused
// multiply-add that gives +0.0 at x = 0 where the ops give -0.0 (and round a * b + c once).
const char* const kRequiredFlags[] = {"-std=c++17", "-shared", "-fPIC", "-ffp-contract=off"};

// The flags every module needs, with those of the vector math library (vector_math.hpp).
std::vector<std::string> required_flags() {
  std::vector<std::string> flags(std::begin(kRequiredFlags), std::end(kRequiredFlags));
  for (auto& f : vector_math_flags()) flags.push_back(std::move(f));
  return flags;
}

// The compiler's --version banner ("" when it does not run), asked once per compiler. The map
// is never destroyed: a compile thread may still ask while the process exits.
std::string compiler_identity(const std::string& cxx) {
  static auto* mutex = new std::mutex;
  static auto* known = new std::map<std::string, std::string>;
  std::lock_guard<std::mutex> lock(*mutex);
  if (auto it = known->find(cxx); it != known->end()) return it->second;
  std::string identity;
  char log[] = "/tmp/theon-cxx-version-XXXXXX";
  const int fd = ::mkstemp(log);
  if (fd >= 0) {
    ::close(fd);
    std::vector<std::string> argv = split_words(cxx);
    argv.push_back("--version");
    if (!argv.empty() && run_process(argv, log) == 0) {
      std::ifstream in(log, std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      identity = s.str();
    }
    ::unlink(log);
  }
  (*known)[cxx] = identity;
  return identity;
}

// The processor, for flags such as -march=native that make code for the machine that compiles
// it: a cache shared between machines (a network home directory) must not hand one machine's
// library to another.
const std::string& cpu_identity() {
  static const auto* identity = [] {
    std::ifstream in("/proc/cpuinfo");
    std::string line, model, flags;
    while (std::getline(in, line) && (model.empty() || flags.empty())) {
      if (model.empty() && line.rfind("model name", 0) == 0) model = line;
      if (flags.empty() && line.rfind("flags", 0) == 0) flags = line;
    }
    return new std::string(model + "\n" + flags);
  }();
  return *identity;
}

}  // namespace

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> words;
  std::istringstream in(s);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::vector<std::string> compile_command(const std::string& source, const std::string& library) {
  const Config& config = Config::global();
  std::vector<std::string> argv = split_words(config.get("cxx"));
  for (const auto& f : split_words(config.get("cxxflags"))) argv.push_back(f);
  argv.insert(argv.end(), {"-o", library, source});
  for (const auto& f : required_flags()) argv.push_back(f);
  return argv;
}

int run_process(const std::vector<std::string>& argv, const std::string& log_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string build_identity() {
  const Config& config = Config::global();
  const std::string cxx = config.get("cxx");
  std::string material =
      cxx + '\0' + compiler_identity(cxx) + '\0' + config.get("cxxflags") + '\0' + cpu_identity();
  for (const auto& f : required_flags()) material += std::string("\0", 1) + f;
  return material;
}

bool compiler_available() {
  const std::string cxx = Config::global().get("cxx");
  static std::once_flag warned;
  std::string why;
  if (split_words(cxx).empty()) {
    why = "config.cxx is empty";
  } else if (compiler_identity(cxx).empty()) {
    why = "the compiler '" + cxx + "' (config.cxx) does not run";
  }
  if (why.empty()) return true;
  std::call_once(warned, [&] {
    std::cerr << "theon: " << why
              << "; generated kernels are off and every op runs its precompiled kernel\n";
  });
  return false;
}

}  // namespace theon::codegen
