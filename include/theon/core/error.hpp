// Exceptions. Each kind maps to the Python exception class of the same name.
#pragma once

#include <stdexcept>
#include <string>

namespace theon {

enum class ErrorKind { Type, Value, Index, NotImplemented, Memory, Runtime, LinAlg };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

struct TypeError : Error {
  explicit TypeError(const std::string& m) : Error(ErrorKind::Type, m) {}
};
struct ValueError : Error {
  explicit ValueError(const std::string& m) : Error(ErrorKind::Value, m) {}
};
struct IndexError : Error {
  explicit IndexError(const std::string& m) : Error(ErrorKind::Index, m) {}
};
struct NotImplementedError : Error {
  explicit NotImplementedError(const std::string& m) : Error(ErrorKind::NotImplemented, m) {}
};
// An allocation the machine cannot satisfy (Python's MemoryError).
struct MemoryError : Error {
  explicit MemoryError(const std::string& m) : Error(ErrorKind::Memory, m) {}
};

// A linear-algebra failure on the values (a singular or not positive-definite matrix, no
// convergence): numpy.linalg.LinAlgError (a ValueError) in Python.
struct LinAlgError : Error {
  explicit LinAlgError(const std::string& m) : Error(ErrorKind::LinAlg, m) {}
};

// Rethrows `e` (of any Error kind) with `message` in place of its text, keeping its kind.
[[noreturn]] void rethrow_with_message(const Error& e, const std::string& message);

}  // namespace theon
