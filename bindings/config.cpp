#include "theon/core/config.hpp"

#include <nanobind/nanobind.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "theon/codegen/cache.hpp"
#include "theon/runtime/blas.hpp"
#include "theon/device/cuda.hpp"
#include "theon/device/runtime.hpp"

namespace nb = nanobind;

namespace theon::py {

void bind_config(nb::module_& m) {
  m.def("config_get", [](const std::string& name) { return Config::global().get(name); });
  m.def("config_set", [](const std::string& name, const std::string& value) {
    Config::global().set(name, value);
  });
  m.def("config_names", [] { return Config::global().names(); });
  m.def("config_doc", [](const std::string& name) { return Config::global().spec(name).doc; });
  // OpenBLAS's thread count as Theon last set it (0: not OpenBLAS), for tests and benchmarks.
  m.def("blas_threads", [] { return blas::library_threads(); });
  // The runtime's name of a device ("Portable Computing Language / pthread-..."); a
  // RuntimeError saying why when the device cannot be used here.
  m.def("device_name", [](const std::string& name) {
    return device::runtime(parse_device(name)).name();
  });
  // Test hooks: the (source, name) pairs of every kernel a device's runtime compiled, and
  // NVRTC's PTX of one (needs no driver), so tests check every generated kernel is valid CUDA.
  m.def("_device_compiled_sources", [](const std::string& name) {
    return device::runtime(parse_device(name)).compiled_sources();
  });
  m.def("_cuda_compile_to_ptx", &device::cuda::compile_to_ptx, nb::arg("source"), nb::arg("name"),
        nb::arg("compute_capability"));
  m.def("compiledir_path", [] { return codegen::compiledir(); });
  m.def("compiledir_list", [] {
    nb::list out;
    for (const auto& e : codegen::list_cache()) {
      nb::dict d;
      d["key"] = e.key;
      d["path"] = e.path;
      d["bytes"] = e.bytes;
      d["valid"] = e.valid;
      d["problem"] = e.problem;
      out.append(d);
    }
    return out;
  });
  m.def("compiledir_problem", [] { return codegen::compiledir_problem(); });
  m.def("compiledir_clear", [] { return codegen::clear_cache(); });
}

}  // namespace theon::py
