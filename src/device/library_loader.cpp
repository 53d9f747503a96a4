#include "library_loader.hpp"

namespace theon::device {

void* open_library(const std::vector<std::string>& names, std::string& reasons) {
  for (const std::string& name : names) {
    if (void* lib = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) return lib;
    const char* e = dlerror();
    reasons += (reasons.empty() ? "" : "; ") + (e ? std::string(e) : name);
  }
  return nullptr;
}

}  // namespace theon::device
