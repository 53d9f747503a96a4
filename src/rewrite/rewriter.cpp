#include "theon/rewrite/rewriter.hpp"

#include <unordered_map>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/printing.hpp"

namespace theon {

namespace {

bool types_fit(const TensorType& a, const TensorType& b) {
  if (a.dtype != b.dtype || a.ndim() != b.ndim()) return false;
  for (int d = 0; d < a.ndim(); ++d) {
    if (a.shape[d] != kUnknownDim && b.shape[d] != kUnknownDim && a.shape[d] != b.shape[d])
      return false;
  }
  return true;
}

}  // namespace

int rewrite_to_fixpoint(FunctionGraph& fg, const std::vector<const NodeRewriter*>& rewriters,
                        int max_passes) {
  // The rewriters to try on a node of each tracked op type: those for every node, then the
  // type's own, each in `rewriters`' order.
  std::vector<const NodeRewriter*> generic;
  for (const NodeRewriter* r : rewriters) {
    if (r->tracks.empty()) generic.push_back(r);
  }
  std::unordered_map<std::string, std::vector<const NodeRewriter*>> by_type;
  for (const NodeRewriter* r : rewriters) {
    for (const auto& t : r->tracks) by_type.try_emplace(t, generic).first->second.push_back(r);
  }
  // Nodes the rewrites build get no location of their own: FunctionGraph::replace gives them
  // the trace of the node they replace, not wherever the caller of the compiler happens to be.
  LocationScope no_location("");
  int replacements = 0;
  for (int pass = 0; pass < max_passes; ++pass) {
    int before = replacements;
    const std::vector<Apply*> order = fg.nodes();
    for (Apply* node : order) {
      if (!fg.contains(node)) continue;
      auto typed = by_type.find(node->op()->type_name());
      for (const NodeRewriter* r : typed == by_type.end() ? generic : typed->second) {
        std::optional<std::vector<Var>> repl = r->transform(fg, node);
        if (!repl) continue;
        // Handles to every output first: replacing the last used one drops the graph's hold
        // on the node, which must stay alive until the loop is done with it.
        const std::vector<Var> outs = node->outputs();
        bool applied = false;
        for (size_t i = 0; i < outs.size() && i < repl->size(); ++i) {
          const Var& with = (*repl)[i];
          if (!with || with == outs[i] || !types_fit(outs[i]->type, with->type)) continue;
          fg.replace(outs[i], with, r->name);
          applied = true;
        }
        if (applied) {
          ++replacements;
          break;  // the node is gone (or rewired); its replacements are visited next pass
        }
      }
    }
    if (replacements == before) break;
  }
  return replacements;
}

void RewriteHistory::on_import(FunctionGraph&, Apply* node, const std::string& reason) {
  if (reason != "init") *built_by_.try_emplace(node).first = reason;
}

void RewriteHistory::on_change_input(FunctionGraph&, Apply* node, size_t i, const Var&) {
  RewiredNode& rewired = *rewired_.try_emplace(node).first;
  if (!rewired.node) rewired.node = node->shared_from_this();
  rewired.rewirings.push_back({i, replacements_.size(), node->inputs()[i]});
}

void RewriteHistory::on_replace(FunctionGraph&, const Var& old, const Var& replacement,
                                const std::string& reason) {
  // Printing costs more than the rewrite itself, and is seldom asked for: deferred.
  replacements_.push_back({reason, old, replacement});
}

const std::vector<RewriteHistory::Entry>& RewriteHistory::entries() const {
  std::lock_guard<std::mutex> lock(printing_);
  for (size_t k = entries_.size(); k < replacements_.size(); ++k) {
    const Replacement& r = replacements_[k];
    entries_.push_back({r.rewrite, print_as_of(r.before, k), print_as_of(r.after, k)});
  }
  return entries_;
}

std::string RewriteHistory::print_as_of(const Var& v, size_t when) const {
  // Bounded: printing a shared subexpression repeats it, exponential in depth.
  constexpr int kDepth = 4;
  return pprint(v, kDepth, [&](const Apply& node) {
    std::vector<Var> inputs = node.inputs();
    const RewiredNode* rewired = rewired_.find(&node);
    if (!rewired) return inputs;
    // The first rewiring of an input after `when` took from it what it read then. Rewirings
    // made by replacement `when` itself came before the entry was recorded.
    std::vector<bool> settled(inputs.size(), false);
    for (const Rewiring& w : rewired->rewirings) {
      if (w.replacement <= when || settled[w.input]) continue;
      inputs[w.input] = w.previous;
      settled[w.input] = true;
    }
    return inputs;
  });
}

std::string RewriteHistory::built_by(const Apply* node) const {
  const std::string* rewrite = built_by_.find(node);
  return rewrite ? *rewrite : "";
}

}  // namespace theon
