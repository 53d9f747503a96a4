#include "theon/codegen/native.hpp"

#include <dlfcn.h>

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "background_builds.hpp"
#include "theon/codegen/cache.hpp"
#include "theon/codegen/emit.hpp"
#include "theon/core/error.hpp"
#include "theon/ops/fused.hpp"

namespace theon::codegen {

struct NativeBuild::State {
  std::string source;
  // Kernels of equal ops share a symbol. The slots are shared with the kernels, so that a
  // function dropped while its module compiles leaves nothing dangling.
  std::vector<std::pair<std::shared_ptr<std::atomic<FusedKernelFn>>, std::string>> slots;
  std::vector<std::pair<std::shared_ptr<std::atomic<FusedStepLoopFn>>, std::string>> step_slots;
  mutable std::mutex mutex;
  mutable std::condition_variable finished;
  bool done = false;
  bool installed = false;
  bool from_cache = false;
  double compile_seconds = 0;
  std::string error;

  void install(void* handle) {
    auto lookup = [&](const std::string& symbol) {
      void* fn = ::dlsym(handle, symbol.c_str());
      if (fn == nullptr) throw Error(ErrorKind::Runtime, "generated kernel " + symbol + " missing");
      return fn;
    };
    std::vector<std::pair<std::atomic<FusedKernelFn>*, FusedKernelFn>> found;
    for (const auto& [slot, symbol] : slots) {
      found.push_back({slot.get(), reinterpret_cast<FusedKernelFn>(lookup(symbol))});
    }
    std::vector<std::pair<std::atomic<FusedStepLoopFn>*, FusedStepLoopFn>> found_steps;
    for (const auto& [slot, symbol] : step_slots) {
      found_steps.push_back({slot.get(), reinterpret_cast<FusedStepLoopFn>(lookup(symbol))});
    }
    // Step loops first: a kernel seen installed has its step loop.
    for (const auto& [slot, fn] : found_steps) slot->store(fn);
    for (const auto& [slot, fn] : found) slot->store(fn);
  }

  void finish(bool ok, const std::string& message) {
    std::lock_guard<std::mutex> lock(mutex);
    done = true;
    installed = ok;
    error = message;
    finished.notify_all();
  }

  void compile_and_install() {
    try {
      const auto start = std::chrono::steady_clock::now();
      void* handle = load_cached_module(source);
      {
        std::lock_guard<std::mutex> lock(mutex);
        compile_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      }
      install(handle);
      finish(true, "");
    } catch (const std::exception& e) {
      // The function keeps running on the precompiled kernels.
      std::cerr << "theon: " << e.what() << "\n";
      finish(false, e.what());
    }
  }
};

std::shared_ptr<NativeBuild> NativeBuild::start(
    const std::vector<const FusedLoopKernel*>& loop_kernels, bool wait, bool step_loops) {
  auto build = std::shared_ptr<NativeBuild>(new NativeBuild());
  auto state = std::make_shared<State>();
  build->state_ = state;
  std::map<std::string, std::string> symbol_of_program;
  std::vector<std::pair<const Fused*, std::string>> kernels;
  for (const FusedLoopKernel* kernel : loop_kernels) {
    const Fused& op = kernel->op();
    auto [it, fresh] = symbol_of_program.emplace(
        op.props(), "theon_fused_" + std::to_string(symbol_of_program.size()));
    if (fresh) kernels.push_back({&op, it->second});
    state->slots.push_back({kernel->slot(), it->second});
    if (step_loops && !op.reduction()) {
      state->step_slots.push_back({kernel->step_loop_slot(), it->second + kStepLoopSuffix});
    }
  }
  if (kernels.empty()) {
    state->finish(false, "");
    return build;
  }
  if (!compiler_available()) {
    state->finish(false, "no C++ compiler (config.cxx)");
    return build;
  }
  if (!cache_available()) {
    state->finish(false, "the kernel cache is not used: " + compiledir_problem());
    return build;
  }
  state->source = emit_module(kernels, step_loops);
  try {
    if (void* handle = try_load_cached_module(state->source)) {
      state->from_cache = true;
      state->install(handle);
      state->finish(true, "");
      return build;
    }
  } catch (const std::exception& e) {
    // A refused entry: the function keeps running on the precompiled kernels.
    std::cerr << "theon: " << e.what() << "\n";
    state->finish(false, e.what());
    return build;
  }
  if (wait) {
    state->compile_and_install();
  } else {
    // Counted from here, not from inside the thread, so an exit right after start() waits.
    auto counted = std::make_shared<BackgroundBuild>();
    std::thread([state, counted] { state->compile_and_install(); }).detach();
  }
  return build;
}

bool NativeBuild::wait() const {
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->finished.wait(lock, [&] { return state_->done; });
  return state_->installed;
}

bool NativeBuild::done() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->done;
}

bool NativeBuild::installed() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->installed;
}

std::string NativeBuild::error() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->error;
}

const std::string& NativeBuild::source() const {
  return state_->source;
}

bool NativeBuild::from_cache() const {
  return state_->from_cache;
}

double NativeBuild::compile_seconds() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->compile_seconds;
}

}  // namespace theon::codegen
