// The cache directory itself: whether it may be used, its temporary build directories and the
// removal of those a dead process left behind.
#pragma once

#include <string>

namespace theon::codegen {

// The cache directory (config.compiledir with symlinks resolved), created 0700 if missing and
// checked: owned by this user and writable by no one else. Throws theon::Error saying why it
// cannot be used. The first call for a directory removes stale temporary directories in it.
std::string trusted_compiledir();

// A new private (0700) temporary build directory in `root`, named after this host and process
// so that another process can tell whether its owner is still running.
std::string make_temporary_dir(const std::string& root);

// Removes the temporary directories in `root` whose process is dead (those older than
// `min_age_seconds`; those of another host or an older theon only after a day, or at once when
// `min_age_seconds` is 0); returns how many.
int remove_stale_temporaries(const std::string& root, double min_age_seconds);

}  // namespace theon::codegen
