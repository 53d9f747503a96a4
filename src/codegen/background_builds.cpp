#include "background_builds.hpp"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>

#include "theon/core/config.hpp"

namespace theon::codegen {
namespace {

// Never destroyed: compile threads still running after the exit wait gave up use it while the
// process's static objects are destroyed.
struct Running {
  std::mutex mutex;
  std::condition_variable idle;
  // The process the count belongs to: a child forked while compiles ran has their count but
  // not their threads, so it starts from zero and does not wait for them at exit.
  pid_t pid = 0;
  int count = 0;
};

Running& running() {
  static auto* r = new Running;
  return *r;
}

void wait_at_exit() {
  double seconds = 0;
  try {
    seconds = std::stod(Config::global().get("compile_exit_wait"));
  } catch (...) {
    return;  // exit must not throw; an unreadable setting means no wait
  }
  wait_for_background_builds(seconds);
}

}  // namespace

BackgroundBuild::BackgroundBuild() {
  static std::once_flag registered;
  std::call_once(registered, [] { std::atexit(wait_at_exit); });
  Running& r = running();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.pid != ::getpid()) {
    r.pid = ::getpid();
    r.count = 0;
  }
  ++r.count;
}

BackgroundBuild::~BackgroundBuild() {
  Running& r = running();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.pid == ::getpid() && --r.count == 0) r.idle.notify_all();
}

bool wait_for_background_builds(double seconds) {
  Running& r = running();
  std::unique_lock<std::mutex> lock(r.mutex);
  if (r.pid != ::getpid()) return true;
  return r.idle.wait_for(lock, std::chrono::duration<double>(seconds),
                         [&] { return r.count == 0; });
}

}  // namespace theon::codegen
