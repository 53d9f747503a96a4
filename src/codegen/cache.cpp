#include "theon/codegen/cache.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

#include "theon/core/config.hpp"
#include "theon/core/error.hpp"

extern char** environ;

namespace theon::codegen {
namespace {

// Flags every module needs whatever config.cxxflags says. (Not -fno-math-errno: see the vector
// math declarations in emit.cpp.) -ffp-contract=off: a fused kernel computes what the
// reference kernels compute, and GCC would otherwise contract -((x + x) - x) into a fused
// multiply-add that gives +0.0 at x = 0 where the ops give -0.0 (and round a * b + c once).
const char* const kRequiredFlags[] = {"-std=c++17", "-shared", "-fPIC", "-ffp-contract=off"};

// glibc's vector math library: with it the generated loops call SIMD exp, sin, ... (within 4
// ulp of the scalar functions), declared in the module's preamble under THEON_LIBMVEC.
std::vector<std::string> required_flags() {
  std::vector<std::string> flags(std::begin(kRequiredFlags), std::end(kRequiredFlags));
  static const bool libmvec = [] {
    void* handle = ::dlopen("libmvec.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (handle != nullptr) ::dlclose(handle);
    return handle != nullptr;
  }();
  if (libmvec) flags.insert(flags.end(), {"-DTHEON_LIBMVEC", "-lmvec"});
  return flags;
}

uint64_t fnv1a(const char* data, size_t n, uint64_t h) {
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string read_file(const std::string& path, bool* ok = nullptr) {
  std::ifstream in(path, std::ios::binary);
  if (ok) *ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> words;
  std::istringstream in(s);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

void make_dirs(const std::string& path) {
  std::string partial;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || (path[i] == '/' && i > 0)) {
      partial = path.substr(0, i);
      if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
        throw Error(ErrorKind::Runtime,
                    "compiledir: cannot create " + partial + ": " + std::strerror(errno));
      }
    }
  }
}

// Runs argv with stdout and stderr into log_path; returns the exit status (-1: did not start).
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

// The compiler's identity: its --version banner, so a compiler upgrade makes new keys.
std::string compiler_identity(const std::string& cxx) {
  static std::mutex mutex;
  static std::map<std::string, std::string> known;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = known.find(cxx); it != known.end()) return it->second;
  std::string identity;
  char log[] = "/tmp/theon-cxx-version-XXXXXX";
  const int fd = ::mkstemp(log);
  if (fd >= 0) {
    ::close(fd);
    std::vector<std::string> argv = split_words(cxx);
    argv.push_back("--version");
    if (!argv.empty() && run_process(argv, log) == 0) identity = read_file(log);
    ::unlink(log);
  }
  known[cxx] = identity;
  return identity;
}

// The processor, for flags such as -march=native that make code for the machine that compiles
// it: a cache shared between machines (a network home directory) must not hand one machine's
// library to another.
std::string cpu_identity() {
  static const std::string identity = [] {
    std::ifstream in("/proc/cpuinfo");
    std::string line, model, flags;
    while (std::getline(in, line) && (model.empty() || flags.empty())) {
      if (model.empty() && line.rfind("model name", 0) == 0) model = line;
      if (flags.empty() && line.rfind("flags", 0) == 0) flags = line;
    }
    return model + "\n" + flags;
  }();
  return identity;
}

std::string entry_dir(const std::string& key) {
  return compiledir() + "/" + key;
}

std::string manifest_for(const std::string& library) {
  return std::to_string(library.size()) + " " +
         hex(fnv1a(library.data(), library.size(), 0xcbf29ce484222325ULL)) + "\n";
}

// An entry is valid when its manifest matches its library and its source is this source
// (which also rules out a hash collision).
bool entry_valid(const std::string& dir, const std::string* source) {
  bool ok_manifest = false, ok_library = false;
  const std::string manifest = read_file(dir + "/manifest", &ok_manifest);
  if (!ok_manifest) return false;
  const std::string library = read_file(dir + "/module.so", &ok_library);
  if (!ok_library || manifest != manifest_for(library)) return false;
  if (source == nullptr) return true;
  bool ok_source = false;
  return read_file(dir + "/module.cpp", &ok_source) == *source && ok_source;
}

void remove_tree(const std::string& path) {
  if (DIR* d = ::opendir(path.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      const std::string child = path + "/" + name;
      struct stat st;
      if (::lstat(child.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        remove_tree(child);
      } else {
        ::unlink(child.c_str());
      }
    }
    ::closedir(d);
  }
  ::rmdir(path.c_str());
}

std::mutex& loaded_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, void*>& loaded() {
  static std::map<std::string, void*> m;
  return m;
}

void* open_library(const std::string& dir) {
  const std::string path = dir + "/module.so";
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  return handle;
}

// The loaded module of a valid entry (loading it once per process), or null.
void* load_entry(const std::string& key, const std::string& source) {
  std::lock_guard<std::mutex> lock(loaded_mutex());
  if (auto it = loaded().find(key); it != loaded().end()) return it->second;
  const std::string dir = entry_dir(key);
  if (!entry_valid(dir, &source)) return nullptr;
  void* handle = open_library(dir);
  if (handle != nullptr) loaded()[key] = handle;
  return handle;
}

// Compiles into a fresh temporary directory and renames it to the entry's name.
void build_entry(const std::string& key, const std::string& source) {
  const std::string root = compiledir();
  std::string tmpl = root + "/tmp-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw Error(ErrorKind::Runtime, "compiledir: cannot create a temporary directory in " + root +
                                        ": " + std::strerror(errno));
  }
  const std::string tmp = tmpl;
  if (!write_file(tmp + "/module.cpp", source)) {
    remove_tree(tmp);
    throw Error(ErrorKind::Runtime, "compiledir: cannot write " + tmp + "/module.cpp");
  }
  const Config& config = Config::global();
  std::vector<std::string> argv = split_words(config.get("cxx"));
  for (const auto& f : split_words(config.get("cxxflags"))) argv.push_back(f);
  argv.insert(argv.end(), {"-o", tmp + "/module.so", tmp + "/module.cpp"});
  for (const auto& f : required_flags()) argv.push_back(f);
  const int status = run_process(argv, tmp + "/compile.log");
  if (status != 0) {
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
    const std::string log = read_file(tmp + "/compile.log");
    remove_tree(tmp);
    throw Error(ErrorKind::Runtime, "compiling generated kernels failed (exit status " +
                                        std::to_string(status) + "): " + command + "\n" + log);
  }
  write_file(tmp + "/manifest", manifest_for(read_file(tmp + "/module.so")));
  const std::string dir = entry_dir(key);
  remove_tree(dir);  // an invalid entry left by an older build or a damaged disk
  if (::rename(tmp.c_str(), dir.c_str()) != 0) {
    remove_tree(tmp);
    throw Error(ErrorKind::Runtime,
                "compiledir: cannot move " + tmp + " to " + dir + ": " + std::strerror(errno));
  }
}

// Holds an exclusive flock on the entry's lock file for its lifetime.
class EntryLock {
 public:
  explicit EntryLock(const std::string& key) {
    const std::string path = compiledir() + "/" + key + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      throw Error(ErrorKind::Runtime,
                  "compiledir: cannot open " + path + ": " + std::strerror(errno));
    }
    while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~EntryLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
  EntryLock(const EntryLock&) = delete;
  EntryLock& operator=(const EntryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

std::string compiledir() {
  const std::string dir = Config::global().get("compiledir");
  make_dirs(dir);
  return dir;
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

std::string module_key(const std::string& source) {
  const Config& config = Config::global();
  const std::string cxx = config.get("cxx");
  std::string material = source + '\0' + cxx + '\0' + compiler_identity(cxx) + '\0' +
                         config.get("cxxflags") + '\0' + cpu_identity();
  for (const auto& f : required_flags()) material += std::string("\0", 1) + f;
  return hex(fnv1a(material.data(), material.size(), 0xcbf29ce484222325ULL)) +
         hex(fnv1a(material.data(), material.size(), 0x84222325cbf29ce4ULL));
}

void* try_load_cached_module(const std::string& source) {
  return load_entry(module_key(source), source);
}

void* load_cached_module(const std::string& source) {
  const std::string key = module_key(source);
  if (void* handle = load_entry(key, source)) return handle;
  {
    EntryLock entry_lock(key);
    // Another process may have built it while this one waited for the lock.
    if (!entry_valid(entry_dir(key), &source)) build_entry(key, source);
  }
  if (void* handle = load_entry(key, source)) return handle;
  const char* why = ::dlerror();
  throw Error(ErrorKind::Runtime, std::string("loading generated kernels failed: ") +
                                      (why ? why : "the built entry is not valid"));
}

std::vector<CacheEntryInfo> list_cache() {
  std::vector<CacheEntryInfo> entries;
  const std::string root = compiledir();
  DIR* d = ::opendir(root.c_str());
  if (d == nullptr) return entries;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    const std::string path = root + "/" + name;
    struct stat st;
    if (name == "." || name == ".." || name.rfind("tmp-", 0) == 0 ||
        ::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      continue;
    }
    CacheEntryInfo info{name, path, 0, entry_valid(path, nullptr)};
    struct stat so;
    if (::stat((path + "/module.so").c_str(), &so) == 0) info.bytes = so.st_size;
    entries.push_back(info);
  }
  ::closedir(d);
  return entries;
}

int clear_cache() {
  const std::string root = compiledir();
  int removed = 0;
  DIR* d = ::opendir(root.c_str());
  if (d == nullptr) return 0;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.push_back(e->d_name);
  ::closedir(d);
  for (const auto& name : names) {
    if (name == "." || name == "..") continue;
    const std::string path = root + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      remove_tree(path);
      if (name.rfind("tmp-", 0) != 0) ++removed;
    } else if (name.size() > 5 && name.compare(name.size() - 5, 5, ".lock") == 0) {
      ::unlink(path.c_str());
    }
  }
  return removed;
}

}  // namespace theon::codegen
