#include "compiler_slots.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "theon/core/config.hpp"
#include "theon/core/error.hpp"

namespace theon::codegen {

int compile_jobs() {
  const int configured = std::stoi(Config::global().get("compile_jobs"));
  if (configured > 0) return configured;
  return static_cast<int>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
}

CompilerSlot::CompilerSlot(const std::string& root, int slots) {
  Fd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) {
    throw Error(ErrorKind::Runtime,
                "compiledir: cannot open " + root + ": " + std::strerror(errno));
  }
  std::vector<Fd> fds;
  for (int k = 0; k < slots; ++k) {
    const std::string name = "compile-slot-" + std::to_string(k) + ".lock";
    Fd fd(::openat(dir.get(), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid()) {
      throw Error(ErrorKind::Runtime,
                  "compiledir: cannot open " + root + "/" + name + ": " + std::strerror(errno));
    }
    fds.push_back(std::move(fd));
  }
  // flock waits for one file, not for any of N, so poll: a compile takes seconds, the polls
  // (backing off to 50 ms) cost nothing next to it. Starting at a slot picked by the process id
  // spreads the first tries of concurrent processes over the slots.
  auto pause = std::chrono::milliseconds(2);
  for (;;) {
    for (int i = 0; i < slots; ++i) {
      Fd& fd = fds[static_cast<size_t>((i + ::getpid()) % slots)];
      if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
        held_ = std::move(fd);
        return;
      }
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace theon::codegen
