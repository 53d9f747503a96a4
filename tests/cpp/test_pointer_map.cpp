// PointerMap/PointerSet against std::unordered_map under random inserts and erases: the
// backward-shift erase must keep every remaining key findable, whatever the probe runs.
#include <gtest/gtest.h>

#include <random>
#include <unordered_map>
#include <vector>

#include "theon/graph/pointer_map.hpp"

namespace theon {
namespace {

TEST(PointerMap, MatchesUnorderedMapUnderRandomInsertsAndErases) {
  // Keys from one array: addresses 4 bytes apart, so many share their home slot's neighbourhood.
  std::vector<int> storage(4096);
  std::mt19937 rng(7);
  PointerMap<int, int> map;
  std::unordered_map<const int*, int> reference;
  for (int step = 0; step < 200000; ++step) {
    const int* key = &storage[rng() % storage.size()];
    const int value = static_cast<int>(rng());
    if (rng() % 3 == 0) {
      EXPECT_EQ(map.erase(key), reference.erase(key) == 1);
    } else {
      const auto [at, inserted] = map.try_emplace(key, value);
      const auto [it, fresh] = reference.try_emplace(key, value);
      ASSERT_EQ(inserted, fresh);
      EXPECT_EQ(*at, it->second);
    }
    ASSERT_EQ(map.size(), reference.size());
  }
  for (const int& k : storage) {
    const auto it = reference.find(&k);
    const int* found = map.find(&k);
    ASSERT_EQ(found != nullptr, it != reference.end());
    if (found) EXPECT_EQ(*found, it->second);
  }
}

TEST(PointerSet, InsertReportsNewnessAndEraseRemoves) {
  std::vector<double> storage(100);
  PointerSet<double> set;
  for (const double& d : storage) EXPECT_TRUE(set.insert(&d));
  for (const double& d : storage) EXPECT_FALSE(set.insert(&d));
  EXPECT_EQ(set.size(), storage.size());
  for (size_t i = 0; i < storage.size(); i += 2) EXPECT_TRUE(set.erase(&storage[i]));
  for (size_t i = 0; i < storage.size(); ++i) EXPECT_EQ(set.contains(&storage[i]), i % 2 == 1);
  EXPECT_FALSE(set.erase(&storage[0]));
  EXPECT_EQ(set.size(), storage.size() / 2);
}

}  // namespace
}  // namespace theon
