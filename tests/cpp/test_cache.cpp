// The kernel cache directory's checks (python tests cover loading, planting and hygiene).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "theon/codegen/cache.hpp"
#include "theon/core/config.hpp"

namespace {

using theon::Config;
using theon::codegen::compiledir_problem;

// A fresh directory for one test, and config.compiledir put back after it.
class CacheDir : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = Config::global().get("compiledir");
    char dir[] = "/tmp/theon-test-cache-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    base_ = dir;
  }
  void TearDown() override {
    Config::global().set("compiledir", saved_);
    std::filesystem::remove_all(base_);
  }
  std::string base_, saved_;
};

TEST_F(CacheDir, AFreshDirectoryIsCreatedPrivateAndUsed) {
  Config::global().set("compiledir", base_ + "/a/b");
  EXPECT_EQ(compiledir_problem(), "");
  struct stat st;
  ASSERT_EQ(::stat((base_ + "/a/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((base_ + "/a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(CacheDir, ADirectoryOthersMayWriteToIsRefusedWithItsModeAndPath) {
  ASSERT_EQ(::chmod(base_.c_str(), 0775), 0);
  Config::global().set("compiledir", base_);
  const std::string why = compiledir_problem();
  EXPECT_NE(why.find(base_ + " has mode 0775"), std::string::npos) << why;
  EXPECT_NE(why.find("its group"), std::string::npos) << why;
  EXPECT_FALSE(theon::codegen::cache_available());
}

TEST_F(CacheDir, AWorldWritableDirectoryAboveIsRefusedUnlessSticky) {
  ASSERT_EQ(::chmod(base_.c_str(), 0777), 0);
  Config::global().set("compiledir", base_ + "/cache");
  EXPECT_NE(compiledir_problem().find("above it, " + base_), std::string::npos);
  ASSERT_EQ(::chmod(base_.c_str(), 01777), 0);
  EXPECT_EQ(compiledir_problem(), "");
}

TEST_F(CacheDir, ADirectoryThatCannotBeCreatedSaysWhy) {
  std::FILE* f = std::fopen((base_ + "/file").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  Config::global().set("compiledir", base_ + "/file/cache");
  EXPECT_NE(compiledir_problem().find("cannot create " + base_ + "/file/cache"), std::string::npos);
}

TEST_F(CacheDir, ASymlinkToAPrivateDirectoryIsFollowedOnce) {
  ASSERT_EQ(::mkdir((base_ + "/real").c_str(), 0700), 0);
  ASSERT_EQ(::symlink((base_ + "/real").c_str(), (base_ + "/link").c_str()), 0);
  Config::global().set("compiledir", base_ + "/link");
  EXPECT_EQ(compiledir_problem(), "");
  ASSERT_EQ(::chmod((base_ + "/real").c_str(), 0777), 0);
  EXPECT_NE(compiledir_problem().find(base_ + "/real has mode 0777"), std::string::npos);
}

}  // namespace
