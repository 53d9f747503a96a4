#include "theon/graph/printing.hpp"

#include <functional>
#include <unordered_map>

#include "theon/graph/op.hpp"

namespace theon {
namespace {

std::string id_name(size_t n) {
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('A' + n % 26));
    n /= 26;
  } while (n-- > 0);
  return s;
}

}  // namespace

std::string debugprint(const std::vector<Var>& outputs, const DebugPrintOptions& options) {
  std::string out;
  std::unordered_map<const void*, std::string> ids;
  auto id_of = [&](const void* key) -> std::pair<std::string, bool> {
    auto it = ids.find(key);
    if (it != ids.end()) return {it->second, false};
    std::string id = id_name(ids.size());
    ids[key] = id;
    return {id, true};
  };
  std::function<void(const Var&, const std::string&, int)> visit =
      [&](const Var& v, const std::string& prefix, int depth) {
        const void* key = v->owner ? static_cast<const void*>(v->owner) : v.get();
        auto [id, fresh] = id_of(key);
        std::string line = prefix;
        if (v->owner) {
          line += v->owner->op()->name();
          if (v->owner->nout() > 1) line += "." + std::to_string(v->index);
        } else {
          line += var_label(*v);
        }
        line += " [id " + id + "]";
        if (options.print_type) line += " <" + v->type.short_str() + ">";
        if (v->owner && !v->name.empty()) line += " '" + v->name + "'";
        if (v->is_shared()) line += " (shared)";
        if (v->is_constant()) line += " (constant)";
        if (v->owner && fresh && options.annotate) {
          std::string note = options.annotate(v->owner);
          if (!note.empty()) line += "  <- " + note;
        }
        out += line + "\n";
        if (!v->owner || !fresh) return;
        if (options.max_depth >= 0 && depth >= options.max_depth) return;
        const std::string child = prefix + " |";
        for (const auto& in : v->owner->inputs()) visit(in, child, depth + 1);
      };
  for (const auto& o : outputs) visit(o, "", 0);
  return out;
}

std::string pprint(const Var& v, int max_depth) {
  return pprint(v, max_depth, [](const Apply& node) { return node.inputs(); });
}

std::string pprint(const Var& v, int max_depth,
                   const std::function<std::vector<Var>(const Apply&)>& inputs_of) {
  if (!v->owner) return var_label(*v);
  if (max_depth == 0) return "...";
  std::vector<std::string> args;
  for (const auto& in : inputs_of(*v->owner)) args.push_back(pprint(in, max_depth - 1, inputs_of));
  std::string s = v->owner->op()->pprint(args);
  if (!s.empty()) return s;
  s = v->owner->op()->name() + "(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
  s += ")";
  if (v->owner->nout() > 1) s += "[" + std::to_string(v->index) + "]";
  return s;
}

}  // namespace theon
