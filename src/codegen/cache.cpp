#include "theon/codegen/cache.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

#include "compiledir_detail.hpp"
#include "compiler_detail.hpp"
#include "compiler_slots.hpp"
#include "theon/core/error.hpp"
#include "trusted_fs.hpp"

namespace theon::codegen {
namespace {

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

// The manifest records the library's size and checksum, which catch a truncated or damaged
// file. They are no defence against a planted one: that is the owner and mode checks' work.
std::string manifest_for(const std::string& library) {
  return std::to_string(library.size()) + " " +
         hex(fnv1a(library.data(), library.size(), 0xcbf29ce484222325ULL)) + "\n";
}

// A trusted file of an entry read whole; "" with *ok false when it is missing or unreadable.
std::string read_entry_file(const Fd& entry, const std::string& entry_path, const std::string& name,
                            bool* ok) {
  const Fd fd = open_trusted_file(entry.get(), name, entry_path + "/" + name);
  *ok = false;
  return fd.valid() ? read_fd(fd.get(), ok) : std::string();
}

// An entry's library, opened and checked: `fd` holds it open when the entry is valid (its
// manifest matches the library's bytes read through `fd`, and its source is `source` when
// given, which also rules out a hash collision). Throws when the entry is not trusted.
struct CheckedEntry {
  Fd library;
  bool valid = false;
};

CheckedEntry check_entry(const std::string& root, const std::string& key,
                         const std::string* source) {
  CheckedEntry out;
  const std::string path = root + "/" + key;
  const Fd entry = open_trusted_dir(AT_FDCWD, path, path);
  if (!entry.valid()) return out;
  bool ok = false;
  const std::string manifest = read_entry_file(entry, path, "manifest", &ok);
  if (!ok) return out;
  Fd library = open_trusted_file(entry.get(), "module.so", path + "/module.so");
  if (!library.valid()) return out;
  const std::string bytes = read_fd(library.get(), &ok);
  if (!ok || manifest != manifest_for(bytes)) return out;
  if (source != nullptr && (read_entry_file(entry, path, "module.cpp", &ok) != *source || !ok)) {
    return out;
  }
  out.library = std::move(library);
  out.valid = true;
  return out;
}

struct Loaded {
  void* handle = nullptr;
  std::string why;  // why a valid entry did not load ("" when there was no valid entry)
};

// The loaded modules by key (loaded once per process, never unloaded). Never destroyed: a
// compile thread may still load while the process exits.
std::mutex& loaded_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
std::map<std::string, void*>& loaded() {
  static auto* m = new std::map<std::string, void*>;
  return *m;
}

// The module of the entry `key`, loaded from the very file whose bytes were checked: dlopen
// reads it through /proc/self/fd of the checked descriptor, so the file cannot be swapped
// between the check and the load. The descriptor stays open while the library is loaded (for
// the rest of the process), so its number, which is the library's name to the dynamic loader,
// is never reused for another library.
Loaded load_entry(const std::string& root, const std::string& key, const std::string& source) {
  std::lock_guard<std::mutex> lock(loaded_mutex());
  if (auto it = loaded().find(key); it != loaded().end()) return {it->second, ""};
  CheckedEntry entry = check_entry(root, key, &source);
  if (!entry.valid) return {};
  const std::string path = "/proc/self/fd/" + std::to_string(entry.library.get());
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return {nullptr, why != nullptr ? why : "dlopen failed"};
  }
  entry.library.release();
  loaded()[key] = handle;
  return {handle, ""};
}

// Compiles into a fresh temporary directory and renames it to the entry's name, replacing an
// entry that is invalid or whose library does not load.
void build_entry(const std::string& root, const std::string& key, const std::string& source) {
  const std::string tmp = make_temporary_dir(root);
  const std::string tmp_name = tmp.substr(root.size() + 1);
  Fd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  const Fd dir = open_trusted_dir(AT_FDCWD, tmp, tmp);
  auto fail = [&](const std::string& message) {
    remove_tree_at(root_fd.get(), tmp_name);
    throw Error(ErrorKind::Runtime, message);
  };
  if (!root_fd.valid() || !dir.valid() || !write_new_file(dir.get(), "module.cpp", source)) {
    fail("compiledir: cannot write " + tmp + "/module.cpp");
  }
  const std::vector<std::string> argv = compile_command(tmp + "/module.cpp", tmp + "/module.so");
  int status = 0;
  {
    CompilerSlot slot(root, compile_jobs());
    status = run_process(argv, tmp + "/compile.log");
  }
  if (status != 0) {
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
    bool ok = false;
    const Fd log = open_trusted_file(dir.get(), "compile.log", tmp + "/compile.log");
    const std::string text = log.valid() ? read_fd(log.get(), &ok) : "";
    fail("compiling generated kernels failed (exit status " + std::to_string(status) +
         "): " + command + "\n" + text);
  }
  // The compiler made the library with the umask's mode; only the user may write the entry.
  Fd library(::openat(dir.get(), "module.so", O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  bool ok = false;
  const std::string bytes = library.valid() ? read_fd(library.get(), &ok) : "";
  if (!ok || ::fchmod(library.get(), 0600) != 0 ||
      !write_new_file(dir.get(), "manifest", manifest_for(bytes))) {
    fail("compiledir: cannot finish the entry in " + tmp + ": " + std::strerror(errno));
  }
  remove_tree_at(root_fd.get(), key);
  if (::renameat(root_fd.get(), tmp_name.c_str(), root_fd.get(), key.c_str()) != 0) {
    fail("compiledir: cannot move " + tmp + " to " + root + "/" + key + ": " +
         std::strerror(errno));
  }
}

// Holds an exclusive flock on the entry's lock file for its lifetime.
class EntryLock {
 public:
  EntryLock(const std::string& root, const std::string& key) {
    const std::string path = root + "/" + key + ".lock";
    fd_ = Fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd_.valid()) {
      throw Error(ErrorKind::Runtime,
                  "compiledir: cannot open " + path + ": " + std::strerror(errno));
    }
    while (::flock(fd_.get(), LOCK_EX) != 0 && errno == EINTR) {
    }
  }

 private:
  Fd fd_;  // closing it releases the flock
};

bool is_entry_name(const std::string& name) {
  return name.size() == 32 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::string module_key(const std::string& source) {
  const std::string material = source + '\0' + build_identity();
  return hex(fnv1a(material.data(), material.size(), 0xcbf29ce484222325ULL)) +
         hex(fnv1a(material.data(), material.size(), 0x84222325cbf29ce4ULL));
}

void* try_load_cached_module(const std::string& source) {
  return load_entry(trusted_compiledir(), module_key(source), source).handle;
}

void* load_cached_module(const std::string& source) {
  const std::string root = trusted_compiledir();
  const std::string key = module_key(source);
  if (void* handle = load_entry(root, key, source).handle) return handle;
  {
    EntryLock entry_lock(root, key);
    // Another process may have built it while this one waited for the lock.
    if (void* handle = load_entry(root, key, source).handle) return handle;
    build_entry(root, key, source);
  }
  const Loaded built = load_entry(root, key, source);
  if (built.handle != nullptr) return built.handle;
  throw Error(ErrorKind::Runtime,
              "loading generated kernels failed: " +
                  (built.why.empty() ? std::string("the built entry is not valid") : built.why));
}

std::vector<CacheEntryInfo> list_cache() {
  std::vector<CacheEntryInfo> entries;
  const std::string root = compiledir();
  DIR* d = ::opendir(root.c_str());
  if (d == nullptr) return entries;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (!is_entry_name(name)) continue;
    CacheEntryInfo info{name, root + "/" + name, 0, false, ""};
    try {
      const CheckedEntry checked = check_entry(root, name, nullptr);
      info.valid = checked.valid;
      if (!checked.valid) info.problem = "missing files or a library that fails its manifest";
    } catch (const Error& err) {
      info.problem = err.what();
    }
    struct stat so;
    if (::lstat((info.path + "/module.so").c_str(), &so) == 0) info.bytes = so.st_size;
    entries.push_back(info);
  }
  ::closedir(d);
  return entries;
}

int clear_cache() {
  const std::string root = trusted_compiledir();
  Fd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* d = dir.valid() ? ::fdopendir(::dup(dir.get())) : nullptr;
  if (d == nullptr) return 0;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.push_back(e->d_name);
  ::closedir(d);
  int removed = 0;
  for (const auto& name : names) {
    if (is_entry_name(name)) {
      remove_tree_at(dir.get(), name);
      ++removed;
    } else if (name.size() == 37 && is_entry_name(name.substr(0, 32)) &&
               name.compare(32, 5, ".lock") == 0) {
      ::unlinkat(dir.get(), name.c_str(), 0);
    }
  }
  remove_stale_temporaries(root, 0);
  return removed;
}

}  // namespace theon::codegen
