#include "theon/compile/linker.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <unordered_set>

#include "lazy_schedule.hpp"
#include "theon/codegen/fused_draw_kernel.hpp"
#include "theon/codegen/fused_kernel.hpp"
#include "theon/device/kernels.hpp"

namespace theon {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// A node runs on the device of its outputs (make_node puts them where the inputs live).
Device node_device(const Apply& node) {
  return node.nout() > 0 ? node.output_ref(0).type.device : Device{};
}

}  // namespace

void register_op_from_graph_kernel();  // op_from_graph_kernel.cpp

void ensure_kernels_registered() {
  static std::once_flag once;
  std::call_once(once, [] {
    codegen::register_fused_kernels();
    codegen::register_fused_draw_kernel();
    register_op_from_graph_kernel();
    device::register_device_kernels();
  });
}

Linked link(const FunctionGraph& fg, const LinkOptions& options) {
  ensure_kernels_registered();
  const Clock::time_point start = Clock::now();
  auto program = std::make_shared<Program>();
  auto slot = [&](const Variable* v) {
    auto [it, fresh] = program->slot_of.emplace(v, static_cast<int>(program->slot_of.size()));
    return it->second;
  };
  const std::vector<Var> leaves = fg.leaves();
  for (const auto& leaf : leaves) slot(leaf.get());
  for (Apply* node : fg.nodes()) {
    for (int i = 0; i < node->nout(); ++i) slot(&node->output_ref(i));
  }
  program->num_slots = static_cast<int>(program->slot_of.size());
  for (const auto& out : fg.outputs()) program->output_slots.push_back(slot(out.get()));

  // Outputs and constants keep their storage; everything else is released after its last use.
  std::unordered_set<int> kept(program->output_slots.begin(), program->output_slots.end());
  for (const auto& leaf : leaves) {
    const int s = slot(leaf.get());
    if (leaf->is_constant()) {
      program->constant_slots.push_back({s, leaf->constant});
      kept.insert(s);
    }
    if (leaf->is_shared()) program->shared_slots.push_back({s, leaf->shared});
  }
  std::vector<int> last_use(program->num_slots, -1);
  std::vector<int> producer(program->num_slots, -1);
  std::vector<const codegen::FusedLoopKernel*> loops;
  const LazySchedule schedule = lazy_schedule(fg);
  for (Apply* node : schedule.order) {
    std::unique_ptr<Kernel> kernel = make_kernel(*node, node_device(*node));
    if (const auto* loop = dynamic_cast<const codegen::FusedLoopKernel*>(kernel.get())) {
      loops.push_back(loop);
    } else if (const auto* draw = dynamic_cast<const codegen::FusedDrawKernel*>(kernel.get())) {
      loops.push_back(&draw->loop());
    }
    Instruction ins{node, kernel.get(), kernel->takes_values(), {}, {}, {}};
    program->kernels.push_back(std::move(kernel));
    for (const auto& in : node->inputs()) ins.in.push_back(slot(in.get()));
    for (int i = 0; i < node->nout(); ++i) ins.out.push_back(slot(&node->output_ref(i)));
    const int pc = static_cast<int>(program->code.size());
    for (int s : ins.in) last_use[s] = pc;
    for (int s : ins.out) {
      last_use[s] = std::max(last_use[s], pc);
      producer[s] = pc;
    }
    program->code.push_back(std::move(ins));
  }
  for (const ScheduledBlock& b : schedule.blocks) {
    program->blocks.push_back({b.begin, b.end, slot(b.cond.get()), b.when_true, b.join});
  }
  for (int s = 0; s < program->num_slots; ++s) {
    if (last_use[s] < 0 || kept.count(s)) continue;
    // A value made outside a block and last read inside it is released where the block's
    // ifelse joins (the outermost such block), which runs whether or not the block did.
    int release_at = last_use[s];
    for (const ConditionalBlock& b : program->blocks) {
      auto inside = [&](int pc) { return b.begin <= pc && pc < b.end; };
      if (inside(last_use[s]) && !inside(producer[s])) {
        release_at = b.join;
        break;
      }
    }
    program->code[release_at].release.push_back(s);
  }
  Linked linked;
  linked.link_seconds = seconds_since(start);
  const Clock::time_point generated = Clock::now();
  linked.native = codegen::NativeBuild::start(loops, options.wait_for_kernels, options.step_loops);
  linked.codegen_seconds = seconds_since(generated);
  linked.program = std::move(program);
  return linked;
}

Linked compile(FunctionGraph& fg, const Mode& mode, const LinkOptions& options) {
  const Clock::time_point start = Clock::now();
  optimize(fg, mode);
  const double rewrite_seconds = seconds_since(start);
  Linked linked = link(fg, options);
  linked.rewrite_seconds = rewrite_seconds;
  return linked;
}

}  // namespace theon
