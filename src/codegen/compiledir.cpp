#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <mutex>
#include <set>
#include <vector>

#include "compiledir_detail.hpp"
#include "theon/codegen/cache.hpp"
#include "theon/core/config.hpp"
#include "theon/core/error.hpp"
#include "trusted_fs.hpp"

namespace theon::codegen {
namespace {

// A temporary directory whose process is dead is removed once it is this old: a process in
// another pid namespace of the same host (a container sharing the cache) looks dead from here,
// and the age spares its compile in the common case of one shorter than a minute.
constexpr double kDeadOwnerAge = 60;
// Owners this host cannot check (another host sharing the directory, an older theon's unnamed
// directories) are given a day.
constexpr double kUnknownOwnerAge = 24 * 3600;

void make_dirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      const std::string partial = path.substr(0, i);
      if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
        throw Error(ErrorKind::Runtime,
                    "compiledir: cannot create " + partial + ": " + std::strerror(errno));
      }
    }
  }
}

// Why the configured directory cannot hold the cache ("" when it can); its real path in *real.
std::string problem_of(const std::string& configured, std::string* real) {
  try {
    make_dirs(configured);
  } catch (const Error& e) {
    return e.what();
  }
  char resolved[PATH_MAX];
  if (::realpath(configured.c_str(), resolved) == nullptr) {
    return "cannot resolve " + configured + ": " + std::strerror(errno);
  }
  *real = resolved;
  if (std::string why = distrust_directory_tree(*real); !why.empty()) return why;
  if (::access(real->c_str(), W_OK | X_OK) != 0) {
    return *real + " is not writable: " + std::strerror(errno);
  }
  return "";
}

std::string host_tag() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  std::string tag;
  for (const char* c = name; *c != '\0' && tag.size() < 40; ++c) {
    if (std::isalnum(static_cast<unsigned char>(*c)) || *c == '.') tag += *c;
  }
  return tag.empty() ? "host" : tag;
}

enum class Owner { Alive, Dead, Unknown };

// The owner of a temporary directory named tmp-HOST-PID-XXXXXX.
Owner owner_of(const std::string& name) {
  const size_t suffix = name.rfind('-');
  const size_t pid_start =
      suffix == std::string::npos || suffix < 5 ? std::string::npos : name.rfind('-', suffix - 1);
  if (pid_start == std::string::npos || pid_start < 4) return Owner::Unknown;
  if (name.substr(4, pid_start - 4) != host_tag()) return Owner::Unknown;
  const std::string pid_text = name.substr(pid_start + 1, suffix - pid_start - 1);
  if (pid_text.empty() || pid_text.size() > 9 ||
      pid_text.find_first_not_of("0123456789") != std::string::npos) {
    return Owner::Unknown;
  }
  const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
  return ::kill(pid, 0) != 0 && errno == ESRCH ? Owner::Dead : Owner::Alive;
}

std::mutex& dirs_mutex() {
  static auto* m = new std::mutex;
  return *m;
}

}  // namespace

std::string compiledir() {
  const std::string dir = Config::global().get("compiledir");
  make_dirs(dir);
  return dir;
}

std::string compiledir_problem() {
  std::string real;
  return problem_of(Config::global().get("compiledir"), &real);
}

bool cache_available() {
  const std::string configured = Config::global().get("compiledir");
  std::string real;
  const std::string why = problem_of(configured, &real);
  if (why.empty()) return true;
  std::lock_guard<std::mutex> lock(dirs_mutex());
  static auto* warned = new std::set<std::string>;
  if (warned->insert(configured).second) {
    std::cerr << "theon: the kernel cache (config.compiledir = " << configured
              << ") is not used: " << why
              << "; generated kernels are off and every op runs its precompiled kernel. Point "
                 "config.compiledir at a directory only you can write to (theon creates it "
                 "0700).\n";
  }
  return false;
}

std::string trusted_compiledir() {
  const std::string configured = Config::global().get("compiledir");
  std::string real;
  if (std::string why = problem_of(configured, &real); !why.empty()) {
    throw Error(ErrorKind::Runtime, "compiledir: the kernel cache is not used: " + why);
  }
  std::lock_guard<std::mutex> lock(dirs_mutex());
  static auto* cleaned = new std::set<std::string>;
  if (cleaned->insert(real).second) remove_stale_temporaries(real, kDeadOwnerAge);
  return real;
}

std::string make_temporary_dir(const std::string& root) {
  std::string path = root + "/tmp-" + host_tag() + "-" + std::to_string(::getpid()) + "-XXXXXX";
  if (::mkdtemp(path.data()) == nullptr) {
    throw Error(ErrorKind::Runtime, "compiledir: cannot create a temporary directory in " + root +
                                        ": " + std::strerror(errno));
  }
  return path;
}

int remove_stale_temporaries(const std::string& root, double min_age_seconds) {
  Fd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return 0;
  std::vector<std::string> names;
  if (DIR* d = ::fdopendir(::dup(dir.get()))) {
    while (dirent* e = ::readdir(d)) {
      if (std::strncmp(e->d_name, "tmp-", 4) == 0) names.push_back(e->d_name);
    }
    ::closedir(d);
  }
  const double now = static_cast<double>(std::time(nullptr));
  int removed = 0;
  for (const auto& name : names) {
    struct stat st;
    if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    const double age = now - static_cast<double>(st.st_mtime);
    const Owner owner = owner_of(name);
    const bool stale =
        (owner == Owner::Dead && age >= min_age_seconds) ||
        (owner == Owner::Unknown && (min_age_seconds == 0 || age >= kUnknownOwnerAge));
    if (stale) {
      remove_tree_at(dir.get(), name);
      ++removed;
    }
  }
  return removed;
}

}  // namespace theon::codegen
