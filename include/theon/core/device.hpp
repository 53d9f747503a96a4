// Where a value lives: the host, or one device of a GPU runtime. Types carry it, so that the
// linker picks each node's kernel for its device and a transfer is a visible node of the graph.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace theon {

enum class DeviceKind : unsigned char { Cpu, Cuda, OpenCL };

struct Device {
  DeviceKind kind = DeviceKind::Cpu;
  int index = 0;     // the CUDA ordinal, or the OpenCL device within its platform
  int platform = 0;  // OpenCL only

  bool is_cpu() const { return kind == DeviceKind::Cpu; }
  // Theano's spelling: "cpu", "cuda0", "opencl0:1" (platform 0, device 1).
  std::string str() const;
  bool operator==(const Device& o) const {
    return kind == o.kind && index == o.index && platform == o.platform;
  }
  bool operator!=(const Device& o) const { return !(*this == o); }
  size_t hash() const;
};

// Reads Theano's device names: "cpu", "cuda" (= cuda0), "cudaN", "gpu"/"gpuN" (old names for
// CUDA), "openclP:D". Throws ValueError naming what was expected otherwise.
Device parse_device(std::string_view name);

}  // namespace theon
