// File access for the kernel cache that a library planted by someone else cannot get through.
//
// The cache loads code, so it only reads what the current user alone could have written: a
// directory or file is trusted when it is owned by the effective user id and neither group nor
// others may write to it. Entries are opened relative to an open directory with O_NOFOLLOW, so
// a symlink is never followed, and what is checked is the open file itself (fstat), so it
// cannot be swapped between the check and the use.
#pragma once

#include <sys/stat.h>

#include <string>

namespace theon::codegen {

// An open file descriptor, closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership: the descriptor stays open.
  int release();

 private:
  int fd_ = -1;
};

// Why `st` (of `path`) is not trusted, or "" when it is: owner and mode in words and the fix.
std::string distrust(const struct stat& st, const std::string& path);

// Why the directory `path` (an absolute path without symlinks) may not hold the cache, or "":
// it must be trusted and no directory above it may be writable by others unless sticky.
std::string distrust_directory_tree(const std::string& path);

// Opens the directory `name` in `dir` (AT_FDCWD: a path) without following a symlink. Returns
// an invalid Fd when it does not exist; throws theon::Error when it is not a trusted
// directory.
Fd open_trusted_dir(int dir, const std::string& name, const std::string& shown_path);

// Opens the regular file `name` in `dir` for reading without following a symlink. Returns an
// invalid Fd when it does not exist; throws theon::Error when it is not a trusted file.
Fd open_trusted_file(int dir, const std::string& name, const std::string& shown_path);

// The whole content of an open file (from its start); false in *ok on a read error.
std::string read_fd(int fd, bool* ok);

// Creates `name` in `dir` (mode 0600, failing if it exists) holding `text`; false on error.
bool write_new_file(int dir, const std::string& name, const std::string& text);

// Removes `name` in `dir` and everything under it, never following a symlink (one planted in
// the tree is removed, not what it points to).
void remove_tree_at(int dir, const std::string& name);

}  // namespace theon::codegen
