// Test-wide settings: generated kernels are off unless a test turns them on (each function
// would otherwise start a C++ compiler in the background), and their cache, when a test uses
// it, lives in a private directory.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "theon/core/config.hpp"

namespace {

class TheonTestEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    char dir[] = "/tmp/theon-test-compiledir-XXXXXX";
    if (::mkdtemp(dir) != nullptr) theon::Config::global().set("compiledir", dir);
    theon::Config::global().set("cxx", "");
  }
};

const auto* const registered = ::testing::AddGlobalTestEnvironment(new TheonTestEnvironment);

}  // namespace
