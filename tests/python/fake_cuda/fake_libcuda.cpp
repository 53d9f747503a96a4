// A stand-in for the CUDA driver (libcuda.so.1) over host memory, for testing the CUDA
// backend's driver path on machines without a GPU: one device of compute capability 9.0;
// memory is malloc'd (at most FAKE_CUDA_MEMORY bytes in all, when set); copies are memcpy;
// modules are accepted when they are device code (an ELF image) and a kernel is found when its
// name is in the image. Launches run nothing: they are written to FAKE_CUDA_LOG (one line each,
// as are module loads), so a test sees what the backend asked for. Built by
// tests/python/test_device_cuda.py with the toolkit's cuda.h.
#include <cuda.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

namespace {

std::map<CUdeviceptr, size_t> blocks;
size_t in_use = 0;

void log_line(const std::string& line) {
  if (const char* path = std::getenv("FAKE_CUDA_LOG")) {
    if (FILE* f = std::fopen(path, "a")) {
      std::fprintf(f, "%s\n", line.c_str());
      std::fclose(f);
    }
  }
}

struct Module {
  std::string image;
};

// A device range must lie in one allocated block.
bool valid(CUdeviceptr p, size_t bytes) {
  auto it = blocks.upper_bound(p);
  if (it == blocks.begin()) return false;
  --it;
  return p + bytes <= it->first + it->second;
}

}  // namespace

extern "C" {

CUresult cuInit(unsigned int) {
  return CUDA_SUCCESS;
}

// NVRTC loads libcuda.so.1 where there is one and asks it for its private tables: none here.
CUresult cuGetExportTable(const void** table, const CUuuid*) {
  *table = nullptr;
  return CUDA_ERROR_NOT_SUPPORTED;
}

CUresult cuGetErrorName(CUresult error, const char** name) {
  switch (error) {
    case CUDA_ERROR_OUT_OF_MEMORY:
      *name = "CUDA_ERROR_OUT_OF_MEMORY";
      return CUDA_SUCCESS;
    case CUDA_ERROR_INVALID_IMAGE:
      *name = "CUDA_ERROR_INVALID_IMAGE";
      return CUDA_SUCCESS;
    case CUDA_ERROR_NOT_FOUND:
      *name = "CUDA_ERROR_NOT_FOUND";
      return CUDA_SUCCESS;
    case CUDA_ERROR_INVALID_VALUE:
      *name = "CUDA_ERROR_INVALID_VALUE";
      return CUDA_SUCCESS;
    default:
      return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult cuDeviceGetCount(int* count) {
  *count = 1;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice* device, int ordinal) {
  if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
  *device = 0;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char* name, int len, CUdevice) {
  std::snprintf(name, static_cast<size_t>(len), "Fake GPU");
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int* value, CUdevice_attribute attribute, CUdevice) {
  if (attribute == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
    *value = 9;
  else if (attribute == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)
    *value = 0;
  else
    return CUDA_ERROR_INVALID_VALUE;
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext* context, CUdevice) {
  static int the_context;
  *context = reinterpret_cast<CUcontext>(&the_context);
  return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext) {
  return CUDA_SUCCESS;
}

CUresult cuStreamCreate(CUstream* stream, unsigned int flags) {
  static int the_stream;
  if (flags != CU_STREAM_NON_BLOCKING) return CUDA_ERROR_INVALID_VALUE;
  *stream = reinterpret_cast<CUstream>(&the_stream);
  return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(CUstream) {
  return CUDA_SUCCESS;
}

CUresult cuMemAlloc(CUdeviceptr* ptr, size_t bytes) {
  const char* limit = std::getenv("FAKE_CUDA_MEMORY");
  if (limit && in_use + bytes > std::strtoull(limit, nullptr, 10)) return CUDA_ERROR_OUT_OF_MEMORY;
  void* p = std::calloc(bytes, 1);
  if (!p) return CUDA_ERROR_OUT_OF_MEMORY;
  *ptr = reinterpret_cast<CUdeviceptr>(p);
  blocks[*ptr] = bytes;
  in_use += bytes;
  return CUDA_SUCCESS;
}

CUresult cuMemFree(CUdeviceptr ptr) {
  auto it = blocks.find(ptr);
  if (it == blocks.end()) return CUDA_ERROR_INVALID_VALUE;
  in_use -= it->second;
  blocks.erase(it);
  std::free(reinterpret_cast<void*>(ptr));
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoDAsync(CUdeviceptr dst, const void* src, size_t bytes, CUstream) {
  if (!valid(dst, bytes)) return CUDA_ERROR_INVALID_VALUE;
  std::memcpy(reinterpret_cast<void*>(dst), src, bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoHAsync(void* dst, CUdeviceptr src, size_t bytes, CUstream) {
  if (!valid(src, bytes)) return CUDA_ERROR_INVALID_VALUE;
  std::memcpy(dst, reinterpret_cast<const void*>(src), bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoDAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream) {
  if (!valid(dst, bytes) || !valid(src, bytes)) return CUDA_ERROR_INVALID_VALUE;
  std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes);
  return CUDA_SUCCESS;
}

CUresult cuModuleLoadData(CUmodule* module, const void* image) {
  if (std::memcmp(image,
                  "\x7f"
                  "ELF",
                  4) != 0)
    return CUDA_ERROR_INVALID_IMAGE;
  // An ELF image's size is in its header: the section headers end it.
  const auto* bytes = static_cast<const unsigned char*>(image);
  uint64_t shoff;
  uint16_t shentsize, shnum;
  std::memcpy(&shoff, bytes + 0x28, 8);
  std::memcpy(&shentsize, bytes + 0x3A, 2);
  std::memcpy(&shnum, bytes + 0x3C, 2);
  auto* m = new Module{std::string(static_cast<const char*>(image), shoff + shentsize * shnum)};
  log_line("load ELF " + std::to_string(m->image.size()) + " bytes");
  *module = reinterpret_cast<CUmodule>(m);
  return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction* function, CUmodule module, const char* name) {
  const Module* m = reinterpret_cast<const Module*>(module);
  if (m->image.find(std::string(name) + '\0') == std::string::npos) return CUDA_ERROR_NOT_FOUND;
  *function = reinterpret_cast<CUfunction>(new std::string(name));
  return CUDA_SUCCESS;
}

CUresult cuModuleUnload(CUmodule module) {
  delete reinterpret_cast<Module*>(module);
  return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(CUfunction f, unsigned grid_x, unsigned grid_y, unsigned grid_z,
                        unsigned block_x, unsigned block_y, unsigned block_z, unsigned shared,
                        CUstream, void** params, void** extra) {
  if (!params || extra) return CUDA_ERROR_INVALID_VALUE;
  log_line("launch " + *reinterpret_cast<std::string*>(f) + " grid " + std::to_string(grid_x) +
           "x" + std::to_string(grid_y) + "x" + std::to_string(grid_z) + " block " +
           std::to_string(block_x) + "x" + std::to_string(block_y) + "x" + std::to_string(block_z) +
           " shared " + std::to_string(shared));
  return CUDA_SUCCESS;
}

}  // extern "C"
