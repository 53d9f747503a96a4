#include "trusted_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "theon/core/error.hpp"

namespace theon::codegen {
namespace {

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw Error(ErrorKind::Runtime,
              "compiledir: refusing " + path + ": " + why +
                  "; a library there may not have been written by you, so it is not loaded "
                  "and the precompiled kernels run instead (remove it: python -m "
                  "theon.compiledir clear)");
}

}  // namespace

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

int Fd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

std::string distrust(const struct stat& st, const std::string& path) {
  std::string why;
  if (st.st_uid != ::geteuid()) {
    why = path + " is owned by uid " + std::to_string(st.st_uid) + ", not by you (uid " +
          std::to_string(::geteuid()) + ")";
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    why += (why.empty() ? path + " has mode " : " and has mode ") + octal_mode(st.st_mode) +
           ", which lets " + ((st.st_mode & S_IWOTH) != 0 ? "others" : "its group") +
           " write to it";
  }
  return why;
}

std::string distrust_directory_tree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return "cannot stat " + path + ": " + std::strerror(errno);
  if (!S_ISDIR(st.st_mode)) return path + " is not a directory";
  if (std::string why = distrust(st, path); !why.empty()) return why;
  // A directory above that anyone may write to lets anyone rename the cache away and put their
  // own in its place, unless its sticky bit (as on /tmp) keeps them to their own names.
  for (size_t slash = path.rfind('/'); slash != std::string::npos && slash > 0;
       slash = path.rfind('/', slash - 1)) {
    const std::string above = path.substr(0, slash);
    if (::stat(above.c_str(), &st) == 0 && (st.st_mode & S_IWOTH) != 0 &&
        (st.st_mode & S_ISVTX) == 0) {
      return "the directory above it, " + above + ", has mode " + octal_mode(st.st_mode) +
             ", which lets anyone replace the cache";
    }
  }
  return "";
}

Fd open_trusted_dir(int dir, const std::string& name, const std::string& shown_path) {
  Fd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return fd;
    if (errno == ELOOP || errno == ENOTDIR)
      refuse(shown_path, "it is a symlink or not a directory");
    throw Error(ErrorKind::Runtime,
                "compiledir: cannot open " + shown_path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) refuse(shown_path, std::strerror(errno));
  if (std::string why = distrust(st, shown_path); !why.empty()) refuse(shown_path, why);
  return fd;
}

Fd open_trusted_file(int dir, const std::string& name, const std::string& shown_path) {
  Fd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return fd;
    if (errno == ELOOP) refuse(shown_path, "it is a symlink");
    throw Error(ErrorKind::Runtime,
                "compiledir: cannot open " + shown_path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) refuse(shown_path, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) refuse(shown_path, "it is not a regular file");
  if (std::string why = distrust(st, shown_path); !why.empty()) refuse(shown_path, why);
  return fd;
}

std::string read_fd(int fd, bool* ok) {
  std::string out;
  char buf[1 << 16];
  for (off_t offset = 0;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *ok = false;
      return out;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    offset += n;
  }
  *ok = true;
  return out;
}

bool write_new_file(int dir, const std::string& name, const std::string& text) {
  Fd fd(::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return false;
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return ::close(fd.release()) == 0;
}

void remove_tree_at(int dir, const std::string& name) {
  if (::unlinkat(dir, name.c_str(), 0) == 0 || errno == ENOENT) return;
  const int fd = ::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return;
  }
  std::vector<std::string> children;
  while (dirent* e = ::readdir(d)) {
    const std::string child = e->d_name;
    if (child != "." && child != "..") children.push_back(child);
  }
  for (const auto& child : children) remove_tree_at(::dirfd(d), child);
  ::closedir(d);
  ::unlinkat(dir, name.c_str(), AT_REMOVEDIR);
}

}  // namespace theon::codegen
