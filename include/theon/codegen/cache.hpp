// The on-disk cache of compiled kernel modules (config.compiledir) and the compiler driver.
//
// An entry is a directory named by a hash of the module's source, the compiler's identity and
// the flags, holding the source, the shared library and a manifest with the library's size
// and checksum. Entries are built in a private temporary directory and renamed into place, so
// a killed compile never leaves a half-written entry; an flock on the entry's lock file makes
// concurrent processes compile a module once (the kernel releases it when a process dies, so a
// lock is never stale); an entry whose library does not match its manifest, or does not load,
// is rebuilt. A library is loaded only from a directory and files owned by the user and
// writable by no one else (see docs/kernel_cache.md for the trust model).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace theon::codegen {

// Whether a compiler is configured and runs; false also warns once on stderr why not.
bool compiler_available();

// Whether config.compiledir can hold the cache (it is created 0700 if missing, and must be the
// user's own and writable by no one else); false also warns once per directory why not.
bool cache_available();
// Why config.compiledir cannot hold the cache, or "" when it can.
std::string compiledir_problem();

// The cache key of a module source under the current compiler and flags.
std::string module_key(const std::string& source);

// The handle (dlopen) of the module, from the cache when a valid entry exists (no compiler
// run), else compiled now and stored. Throws theon::Error with the compiler's output on
// failure. Handles stay loaded for the life of the process.
void* load_cached_module(const std::string& source);
// The handle if a valid entry is already on disk or loaded, else null; never compiles.
void* try_load_cached_module(const std::string& source);

struct CacheEntryInfo {
  std::string key;
  std::string path;
  int64_t bytes = 0;
  bool valid = false;
  std::string problem;  // why it is not valid ("" when it is)
};
// config.compiledir, created (0700) if missing.
std::string compiledir();
std::vector<CacheEntryInfo> list_cache();
// Removes every entry and the temporary directories of dead processes; returns how many
// entries were removed. Throws theon::Error when the directory is not trusted.
int clear_cache();

}  // namespace theon::codegen
