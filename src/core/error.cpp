#include "theon/core/error.hpp"

namespace theon {

void rethrow_with_message(const Error& e, const std::string& message) {
  switch (e.kind()) {
    case ErrorKind::Type:
      throw TypeError(message);
    case ErrorKind::Value:
      throw ValueError(message);
    case ErrorKind::Index:
      throw IndexError(message);
    case ErrorKind::NotImplemented:
      throw NotImplementedError(message);
    case ErrorKind::Memory:
      throw MemoryError(message);
    case ErrorKind::LinAlg:
      throw LinAlgError(message);
    case ErrorKind::Runtime:
      break;
  }
  throw Error(ErrorKind::Runtime, message);
}

}  // namespace theon
