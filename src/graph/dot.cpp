#include "theon/graph/dot.hpp"

#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "theon/graph/op.hpp"
#include "theon/graph/printing.hpp"

namespace theon {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string constant_text(const NDArray& a, int max_chars) {
  if (a.size() != 1) return "";
  std::ostringstream os;
  const NDArray c = a.copy();
  visit_dtype(c.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = *reinterpret_cast<const T*>(c.raw());
    if constexpr (sizeof(T) == 1) {
      os << static_cast<int>(v);
    } else {
      os << v;
    }
  });
  std::string s = os.str();
  return static_cast<int>(s.size()) <= max_chars ? s : "";
}

}  // namespace

std::string dot_graph(const std::vector<Var>& outputs, const DotOptions& options) {
  std::ostringstream os;
  os << "digraph \"" << escape(options.graph_name) << "\" {\n";
  os << "  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
     << "  edge [fontname=\"Helvetica\", fontsize=8];\n";
  std::unordered_map<const void*, std::string> ids;
  auto id_of = [&](const void* key, const char* prefix) {
    auto it = ids.find(key);
    if (it != ids.end()) return it->second;
    std::string id = prefix + std::to_string(ids.size());
    ids[key] = id;
    return id;
  };
  // Iterative depth-first walk: nodes are emitted once each, in any order (DOT does not care).
  std::vector<Var> stack(outputs.rbegin(), outputs.rend());
  std::unordered_set<const void*> seen;
  auto leaf_id = [&](const Var& v) {
    std::string id = id_of(v.get(), "v");
    if (!seen.insert(v.get()).second) return id;
    std::string label = var_label(*v);
    std::string attrs;
    if (v->is_constant()) {
      std::string value = constant_text(*v->constant, options.max_constant_chars);
      if (!value.empty()) label = value;
      attrs = "shape=box, style=filled, fillcolor=\"#dddddd\"";
    } else if (v->is_shared()) {
      attrs = "shape=ellipse, style=filled, fillcolor=cyan";
    } else {
      attrs = "shape=ellipse, style=filled, fillcolor=limegreen";
    }
    os << "  " << id << " [label=\"" << escape(label + "\n" + v->type.short_str()) << "\", "
       << attrs << "];\n";
    return id;
  };
  while (!stack.empty()) {
    Var v = stack.back();
    stack.pop_back();
    if (!v->owner) {
      leaf_id(v);
      continue;
    }
    const Apply* node = v->owner;
    if (!seen.insert(node).second) continue;
    std::string nid = id_of(node, "n");
    std::string label = node->op()->name();
    for (int i = 0; i < node->nout(); ++i) label += "\n" + node->output_ref(i).type.short_str();
    os << "  " << nid << " [label=\"" << escape(label) << "\", shape=box, style=\"rounded\"];\n";
    for (size_t k = 0; k < node->inputs().size(); ++k) {
      const Var& in = node->inputs()[k];
      std::string src;
      if (in->owner) {
        src = id_of(in->owner, "n");
        stack.push_back(in);
      } else {
        src = leaf_id(in);
      }
      os << "  " << src << " -> " << nid;
      std::string elabel;
      if (node->inputs().size() > 1) elabel = std::to_string(k);
      if (in->owner && in->owner->nout() > 1) {
        elabel += (elabel.empty() ? "" : " ") + std::string("out ") + std::to_string(in->index);
      }
      if (!elabel.empty()) os << " [label=\"" << escape(elabel) << "\"]";
      os << ";\n";
    }
  }
  // Outputs: one blue ellipse each, fed by their node (or the leaf itself).
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Var& o = outputs[i];
    std::string oid = "out" + std::to_string(i);
    std::string name = o->name.empty() ? "output " + std::to_string(i) : o->name;
    os << "  " << oid << " [label=\"" << escape(name + "\n" + o->type.short_str())
       << "\", shape=ellipse, style=filled, fillcolor=dodgerblue];\n";
    std::string src = o->owner ? id_of(o->owner, "n") : id_of(o.get(), "v");
    os << "  " << src << " -> " << oid;
    if (o->owner && o->owner->nout() > 1) os << " [label=\"out " << o->index << "\"]";
    os << ";\n";
  }
  os << "}\n";
  return os.str();
}

}  // namespace theon
