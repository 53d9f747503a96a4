// Locking of shared-variable cells (the rules are in variable.hpp, at SharedValue).
#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>

#include "theon/graph/variable.hpp"

namespace theon {
namespace {

std::atomic<uint64_t> next_cell_id{1};

// The innermost SharedLocks of this thread; the enclosing ones follow through `outer_`.
thread_local const SharedLocks* innermost = nullptr;

}  // namespace

SharedValue::SharedValue() : id(next_cell_id++) {}

SharedValue::SharedValue(NDArray v, std::string n)
    : value(std::move(v)), name(std::move(n)), id(next_cell_id++) {}

NDArray SharedValue::load() const {
  if (SharedLocks::held(this)) return value;
  std::shared_lock lock(mutex);
  return value;
}

NDArray SharedValue::exchange(NDArray v) {
  std::unique_lock lock(mutex);
  return std::exchange(value, std::move(v));
}

SharedLocks::SharedLocks(const std::vector<Entry>& cells) : cells_(cells), outer_(innermost) {
  size_t taken = 0;
  try {
    for (; taken < cells_.size(); ++taken) {
      const Entry& e = cells_[taken];
      if (e.exclusive) {
        e.cell->mutex.lock();
      } else {
        e.cell->mutex.lock_shared();
      }
    }
  } catch (...) {
    while (taken-- > 0) {
      const Entry& e = cells_[taken];
      if (e.exclusive) {
        e.cell->mutex.unlock();
      } else {
        e.cell->mutex.unlock_shared();
      }
    }
    throw;
  }
  innermost = this;
}

SharedLocks::~SharedLocks() {
  innermost = outer_;
  for (auto it = cells_.rbegin(); it != cells_.rend(); ++it) {
    if (it->exclusive) {
      it->cell->mutex.unlock();
    } else {
      it->cell->mutex.unlock_shared();
    }
  }
}

bool SharedLocks::held(const SharedValue* cell) {
  for (const SharedLocks* l = innermost; l; l = l->outer_) {
    if (std::any_of(l->cells_.begin(), l->cells_.end(),
                    [&](const Entry& e) { return e.cell == cell; })) {
      return true;
    }
  }
  return false;
}

}  // namespace theon
