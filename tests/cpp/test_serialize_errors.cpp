// Reading bad graph bytes: truncated, corrupted, of another version, holding an unknown op or
// sizes that overflow give a theon ValueError naming the problem, never a crash or another
// exception.
#include <gtest/gtest.h>

#include <bit>
#include <limits>

#include "every_op_graph.hpp"
#include "theon/graph/serialize.hpp"

namespace theon {
namespace {

using test_util::expect_error;

// Reading `bytes` either succeeds or raises ValueError; true if it raised.
bool rejects(const std::string& bytes) {
  try {
    deserialize(bytes);
    return false;
  } catch (const ValueError&) {
    return true;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a ValueError: " << e.what();
    return true;
  }
}

std::string small_graph_bytes() {
  Var x = matrix("x");
  auto cell = std::make_shared<SharedValue>(NDArray::scalar<double>(1.0), "w");
  Var w = make_shared(cell, TensorType(DType::Float64, {}));
  Var c = constant(NDArray::from_vector<int64_t>({1, 0}, {2}));
  return serialize({sum(x * w, std::vector<int64_t>{1}), dimshuffle(x, {1, 0}) + w, c});
}

TEST(SerializeErrors, EveryTruncationIsAValueError) {
  const std::string bytes = small_graph_bytes();
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_TRUE(rejects(bytes.substr(0, n))) << "prefix of " << n << " bytes";
  }
  const std::string big = serialize(test_util::every_op_graph().outputs);
  for (size_t n = 0; n < big.size(); n += 97) {
    EXPECT_TRUE(rejects(big.substr(0, n))) << "prefix of " << n << " bytes";
  }
}

TEST(SerializeErrors, EveryCorruptedByteIsReadOrAValueError) {
  const std::string bytes = small_graph_bytes();
  int rejected = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ flip);
      rejected += rejects(bad) ? 1 : 0;
    }
  }
  EXPECT_GT(rejected, static_cast<int>(bytes.size()));
  const std::string big = serialize(test_util::every_op_graph().outputs);
  for (size_t i = 0; i < big.size(); i += 7) {
    std::string bad = big;
    bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ 0xff);
    rejects(bad);
  }
}

TEST(SerializeErrors, MagicVersionTrailingBytesAndUnknownOpsAreNamed) {
  const std::string bytes = small_graph_bytes();
  expect_error<ValueError>([&] { deserialize("not a graph at all"); }, {"bad magic"});
  std::string v2 = bytes;
  v2[8] = 2;
  expect_error<ValueError>([&] { deserialize(v2); }, {"format version 2", "reads version 1"});
  expect_error<ValueError>([&] { deserialize(bytes + "x"); }, {"1 trailing bytes"});
  std::string device = bytes;
  const size_t cpu = device.find("cpu");
  ASSERT_NE(cpu, std::string::npos);
  device[cpu + 2] = 'x';
  expect_error<ValueError>([&] { deserialize(device); }, {"unknown device 'cpx'"});
  std::string unknown = bytes;
  const size_t at = unknown.find("DimShuffle");
  ASSERT_NE(at, std::string::npos);
  unknown.replace(at, 10, "DimShovels");
  expect_error<ValueError>([&] { deserialize(unknown); },
                           {"no op factory for the op type 'DimShovels'"});
}

// Little-endian pieces of hand-made graph bytes.
struct Bytes {
  std::string s{"THEONGR\n"};
  Bytes& u8(uint8_t v) {
    s.push_back(static_cast<char>(v));
    return *this;
  }
  Bytes& u64(uint64_t v, int n = 8) {
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  Bytes& str(const std::string& t) {
    u64(t.size());
    s += t;
    return *this;
  }
};

// A graph of one constant whose array has these sizes.
std::string constant_with_sizes(const std::vector<int64_t>& sizes) {
  Bytes b;
  b.u64(1, 4).u64(1).u8(1);
  b.str("float64").u64(sizes.size());
  for (size_t k = 0; k < sizes.size(); ++k) b.u64(static_cast<uint64_t>(kUnknownDim));
  b.str("cpu").str("").str("");
  b.str("float64").u64(sizes.size());
  for (int64_t d : sizes) b.u64(static_cast<uint64_t>(d));
  return b.s;
}

TEST(SerializeErrors, SizesAndCountsAreCheckedBeforeAnythingIsAllocated) {
  expect_error<ValueError>([] { deserialize(Bytes().u64(1, 4).u64(uint64_t{1} << 62).s); },
                           {"record count", "exceeds the bytes left"});
  expect_error<ValueError>(
      [] {
        deserialize(constant_with_sizes({int64_t{1} << 40, 1 << 30}));
      },
      {"element count overflows"});
  expect_error<ValueError>(
      [] {
        deserialize(constant_with_sizes({int64_t{1} << 31, 1 << 30}));
      },
      {"byte size overflows"});
  expect_error<ValueError>(
      [] {
        deserialize(constant_with_sizes({1000000, 1000000}));
      },
      {"truncated", "the array's elements"});
  expect_error<ValueError>(
      [] {
        deserialize(constant_with_sizes({2, -3}));
      },
      {"negative array size -3"});
  // A well-formed constant reads back.
  std::string ok = constant_with_sizes({2});
  Bytes data;
  data.s.clear();
  data.u64(std::bit_cast<uint64_t>(1.5)).u64(std::bit_cast<uint64_t>(-2.0)).u64(1).u64(0);
  const Var c = deserialize(ok + data.s).at(0);
  EXPECT_EQ(c->constant->flat_as_double(1), -2.0);
}

TEST(SerializeErrors, NodesWhoseOpsRejectTheirInputsOrFieldsAreValueErrors) {
  Var x = vector("x");
  const std::string bytes = serialize({dimshuffle(x, {0, kNewAxis})});
  // The pattern (0, 'x') becomes (5, 'x'): a dimension the input does not have.
  std::string bad = bytes;
  const size_t at = bad.find("pattern");
  ASSERT_NE(at, std::string::npos);
  bad[at + 7 + 1 + 8] = 5;  // after the name, the kind byte and the list length
  expect_error<ValueError>([&] { deserialize(bad); },
                           {"DimShuffle", "does not accept its inputs", "pattern entry 5"});
}

}  // namespace
}  // namespace theon
