#include "theon/compile/profile.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

namespace theon {
namespace {

std::string fmt(const char* f, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}

std::string seconds_str(double s) {
  if (s >= 1) return fmt("%.3fs", s);
  if (s >= 1e-3) return fmt("%.3fms", s * 1e3);
  return fmt("%.3fus", s * 1e6);
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string lpad(const std::string& s, size_t width) {
  return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}

struct Row {
  std::string label;
  std::string where;
  double seconds = 0;
  int64_t calls = 0;
  int nodes = 0;
};

// The rows by decreasing time, the first `limit` of them and a line counting the rest.
void table(std::string& out, std::vector<Row> rows, double total, bool show_nodes, size_t limit) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.seconds > b.seconds; });
  size_t w = 8;
  for (const auto& r : rows) w = std::max(w, r.label.size());
  out += "  " + lpad("time", 12) + lpad("share", 8) + lpad("calls", 9) + lpad("per call", 12) +
         (show_nodes ? lpad("nodes", 7) : std::string()) + "  " + pad("op", w) + "\n";
  const size_t shown = std::min(limit, rows.size());
  for (size_t i = 0; i < shown; ++i) {
    const Row& r = rows[i];
    const double share = total > 0 ? 100.0 * r.seconds / total : 0.0;
    const double per = r.calls > 0 ? r.seconds / static_cast<double>(r.calls) : 0.0;
    std::string line = "  " + lpad(seconds_str(r.seconds), 12) + lpad(fmt("%.1f%%", share), 8) +
                       lpad(std::to_string(r.calls), 9) + lpad(seconds_str(per), 12) +
                       (show_nodes ? lpad(std::to_string(r.nodes), 7) : std::string()) + "  " +
                       (r.where.empty() ? r.label : pad(r.label, w) + "  " + r.where);
    out += line + "\n";
  }
  if (shown < rows.size()) {
    double rest = 0;
    for (size_t i = shown; i < rows.size(); ++i) rest += rows[i].seconds;
    out += "  ... " + std::to_string(rows.size() - shown) + " more (" + seconds_str(rest) + ", " +
           fmt("%.1f%%", total > 0 ? 100.0 * rest / total : 0.0) + ")\n";
  }
}

}  // namespace

double timer_pair_seconds() {
  static const double cost = [] {
    using Clock = std::chrono::steady_clock;
    constexpr int n = 2000;
    volatile double sink = 0;
    const auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
      const auto a = Clock::now();
      sink = sink + std::chrono::duration<double>(Clock::now() - a).count();
    }
    return std::chrono::duration<double>(Clock::now() - start).count() / n;
  }();
  return cost;
}

double ProfileStats::node_seconds() const {
  double s = 0;
  for (const auto& n : nodes) s += n.seconds;
  return s;
}

std::string ProfileStats::summary(size_t max_op_types, size_t max_nodes) const {
  std::string out = "Profile of " +
                    (function_name.empty() ? std::string("theon function")
                                           : "theon function '" + function_name + "'") +
                    "\n";
  const double compile = import_seconds + rewrite_seconds + codegen_seconds + link_seconds;
  out += "  compile time: " + seconds_str(compile) + " (graph import " +
         seconds_str(import_seconds) + ", rewriting " + seconds_str(rewrite_seconds) +
         ", code generation " + seconds_str(codegen_seconds) + ", linking " +
         seconds_str(link_seconds) + "); generated kernels: " + kernels + "\n";
  const double in_nodes = node_seconds();
  out += "  calls: " + std::to_string(calls) + ", time in the VM: " + seconds_str(run_seconds) +
         " (" + (calls > 0 ? seconds_str(run_seconds / static_cast<double>(calls)) : "0") +
         " per call), of which in node kernels: " + seconds_str(in_nodes) + " (" +
         fmt("%.1f%%", run_seconds > 0 ? 100.0 * in_nodes / run_seconds : 0.0) + ")\n";
  out += "  peak memory of the storage plan: " +
         fmt("%.3f MiB", static_cast<double>(peak_bytes) / (1024.0 * 1024.0)) +
         " (arrays held at once by its slots, inputs and outputs included)\n";
  int64_t node_calls = 0;
  for (const auto& n : nodes) node_calls += n.calls;
  const double overhead = timer_seconds * static_cast<double>(node_calls);
  out += "  profiler overhead: about " + seconds_str(timer_seconds) +
         " per node call (one pair of clock readings), " + seconds_str(overhead) + " in all (" +
         fmt("%.1f%%", run_seconds > 0 ? 100.0 * overhead / run_seconds : 0.0) +
         " of the VM time); shares are of the time in node kernels\n";

  std::map<std::string, Row> by_type;
  for (const auto& n : nodes) {
    Row& r = by_type[n.op_type];
    r.label = n.op_type;
    r.seconds += n.seconds;
    r.calls += n.calls;
    ++r.nodes;
  }
  std::vector<Row> rows;
  for (auto& [_, r] : by_type) rows.push_back(r);
  out += "\nPer op type:\n";
  table(out, rows, in_nodes, true, max_op_types);

  rows.clear();
  // A node that left its device for the host says so: the copies it costs are in its time.
  for (const auto& n : nodes) {
    const bool fallback = n.kernel.rfind("host fallback", 0) == 0;
    rows.push_back(
        {fallback ? n.op + " [" + n.kernel + "]" : n.op, n.where, n.seconds, n.calls, 1});
  }
  out += "\nPer node:\n";
  table(out, rows, in_nodes, false, max_nodes);
  return out;
}

}  // namespace theon
