#include "theon/core/device.hpp"

#include <charconv>

#include "theon/core/error.hpp"

namespace theon {
namespace {

// A non-negative decimal number filling all of `text`, or -1.
int parse_ordinal(std::string_view text) {
  int value = -1;
  if (text.empty() || text.size() > 6) return -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : -1;
}

}  // namespace

std::string Device::str() const {
  switch (kind) {
    case DeviceKind::Cpu:
      return "cpu";
    case DeviceKind::Cuda:
      return "cuda" + std::to_string(index);
    case DeviceKind::OpenCL:
      return "opencl" + std::to_string(platform) + ":" + std::to_string(index);
  }
  return "cpu";
}

size_t Device::hash() const {
  return static_cast<size_t>(kind) * 1000003u + static_cast<size_t>(platform) * 1009u +
         static_cast<size_t>(index);
}

Device parse_device(std::string_view name) {
  auto bad = [&]() -> Device {
    throw ValueError("device: expected 'cpu', 'cuda', 'cudaN' or 'openclP:D', got '" +
                     std::string(name) + "'");
  };
  if (name == "cpu") return Device{};
  for (std::string_view prefix : {std::string_view("cuda"), std::string_view("gpu")}) {
    if (name.substr(0, prefix.size()) != prefix) continue;
    const std::string_view rest = name.substr(prefix.size());
    const int index = rest.empty() ? 0 : parse_ordinal(rest);
    if (index < 0) return bad();
    return Device{DeviceKind::Cuda, index, 0};
  }
  if (name.substr(0, 6) == "opencl") {
    const std::string_view rest = name.substr(6);
    const size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return bad();
    const int platform = parse_ordinal(rest.substr(0, colon));
    const int index = parse_ordinal(rest.substr(colon + 1));
    if (platform < 0 || index < 0) return bad();
    return Device{DeviceKind::OpenCL, index, platform};
  }
  return bad();
}

}  // namespace theon
