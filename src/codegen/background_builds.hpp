// Background compiles outlive nothing they were started for: at process exit theon waits (at
// most config.compile_exit_wait seconds) for the compiles still running, so a script that
// exits right after function() still leaves its module in the cache.
#pragma once

namespace theon::codegen {

// Counts one background compile from construction to destruction.
class BackgroundBuild {
 public:
  BackgroundBuild();
  ~BackgroundBuild();
  BackgroundBuild(const BackgroundBuild&) = delete;
  BackgroundBuild& operator=(const BackgroundBuild&) = delete;
};

// Waits until no background compile runs or `seconds` pass; true when none runs.
bool wait_for_background_builds(double seconds);

}  // namespace theon::codegen
