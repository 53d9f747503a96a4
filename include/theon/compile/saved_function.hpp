// Compiled functions as bytes: save_function writes a function's rewritten graph (not the graph
// the user built), its inputs with names and defaults, its outputs and updates, its options and
// the cache key of its generated kernels; load_function links that graph again without running
// a rewrite, and its kernels come from the kernel cache (or are compiled in the background when
// the cache lacks them). Inputs and shared variables are kept outside the bytes, as with
// serialize(outputs, leaves), so that Python's pickle keeps their identity.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "theon/compile/function.hpp"

namespace theon {

// Throws NotImplementedError for a DebugMode function (its checks need the graph before
// rewriting) and for values Theon cannot write (sparse variables).
std::string save_function(const Function& fn, std::vector<Var>& leaves);
// Throws ValueError naming what is wrong for bytes that are truncated, corrupt or of another
// format version, or whose graph does not fit `leaves`. `saved_kernel_key` receives the key the
// kernels had when saved: equal to kernel_key(loaded) when the graph was linked the same way.
std::shared_ptr<Function> load_function(const std::string& bytes, const std::vector<Var>& leaves,
                                        std::string* saved_kernel_key = nullptr);
// The cache key of a function's generated kernels ("" when it has none).
std::string kernel_key(const Function& fn);

}  // namespace theon
