#include "theon/rewrite/rewriter.hpp"

#include <mutex>
#include <unordered_map>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/printing.hpp"

namespace theon {

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::Merge:
      return "merge";
    case Phase::Canonicalize:
      return "canonicalize";
    case Phase::Stabilize:
      return "stabilize";
    case Phase::Specialize:
      return "specialize";
    case Phase::Shape:
      return "shape";
    case Phase::Cleanup:
      return "cleanup";
    case Phase::Blas:
      return "blas";
    case Phase::Fusion:
      return "fusion";
    case Phase::Inplace:
      break;
  }
  return "inplace";
}

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
  std::unordered_map<std::string, std::vector<const NodeRewriter*>> by_type;
  std::vector<const NodeRewriter*> generic;
  for (const NodeRewriter* r : rewriters) {
    if (r->tracks.empty()) generic.push_back(r);
    for (const auto& t : r->tracks) by_type[t].push_back(r);
  }
  int replacements = 0;
  for (int pass = 0; pass < max_passes; ++pass) {
    int before = replacements;
    const std::vector<Apply*> order = fg.nodes();
    for (Apply* node : order) {
      if (!fg.contains(node)) continue;
      auto typed = by_type.find(node->op()->type_name());
      std::vector<const NodeRewriter*> candidates = generic;
      if (typed != by_type.end()) {
        candidates.insert(candidates.end(), typed->second.begin(), typed->second.end());
      }
      for (const NodeRewriter* r : candidates) {
        std::optional<std::vector<Var>> repl = r->transform(fg, node);
        if (!repl) continue;
        bool applied = false;
        for (int i = 0; i < node->nout() && i < static_cast<int>(repl->size()); ++i) {
          const Var& with = (*repl)[i];
          Var out = node->output(i);
          if (!with || with == out || !types_fit(out->type, with->type)) continue;
          fg.replace(out, with, r->name);
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
  if (reason != "init") built_by_[node] = reason;
}

void RewriteHistory::on_replace(FunctionGraph&, const Var& old, const Var& replacement,
                                const std::string& reason) {
  // Bounded: printing a shared subexpression repeats it, exponential in depth.
  constexpr int kDepth = 4;
  entries_.push_back({reason, pprint(old, kDepth), pprint(replacement, kDepth)});
}

std::string RewriteHistory::built_by(const Apply* node) const {
  auto it = built_by_.find(node);
  return it == built_by_.end() ? "" : it->second;
}

RewriteDB& RewriteDB::global() {
  static RewriteDB db;
  return db;
}

void RewriteDB::add_node_rewriter(Phase phase, NodeRewriter rewriter, std::set<std::string> tags) {
  tags.insert(rewriter.name);
  node_rewriters_.push_back({phase, std::move(rewriter), std::move(tags)});
}

void RewriteDB::add_graph_rewriter(Phase phase, GraphRewriter rewriter,
                                   std::set<std::string> tags) {
  tags.insert(rewriter.name);
  graph_rewriters_.push_back({phase, std::move(rewriter), std::move(tags)});
}

std::vector<std::string> RewriteDB::names() const {
  std::vector<std::string> out;
  for (const auto& e : graph_rewriters_) out.push_back(e.rewriter.name);
  for (const auto& e : node_rewriters_) out.push_back(e.rewriter.name);
  return out;
}

bool RewriteDB::has(const std::string& name_or_tag) const {
  for (const auto& e : graph_rewriters_) {
    if (e.tags.count(name_or_tag)) return true;
  }
  for (const auto& e : node_rewriters_) {
    if (e.tags.count(name_or_tag)) return true;
  }
  return false;
}

namespace {

bool selected(const std::set<std::string>& tags, const std::set<std::string>& include,
              const std::set<std::string>& exclude) {
  bool in = false;
  for (const auto& t : tags) {
    if (exclude.count(t)) return false;
    in = in || include.count(t);
  }
  return in;
}

}  // namespace

void RewriteDB::optimize(FunctionGraph& fg, const std::set<std::string>& include,
                         const std::set<std::string>& exclude) const {
  auto run_phase = [&](Phase phase) {
    for (const auto& e : graph_rewriters_) {
      if (e.phase == phase && selected(e.tags, include, exclude)) e.rewriter.apply(fg);
    }
    std::vector<const NodeRewriter*> active;
    for (const auto& e : node_rewriters_) {
      if (e.phase == phase && selected(e.tags, include, exclude)) active.push_back(&e.rewriter);
    }
    if (!active.empty()) rewrite_to_fixpoint(fg, active);
  };
  for (int p = 0; p < static_cast<int>(Phase::Inplace); ++p) run_phase(static_cast<Phase>(p));
  // Rewrites build new nodes that may duplicate existing ones: a last merge folds them. It must
  // come before the inplace phase, which relies on each destroyed variable having one reader.
  run_phase(Phase::Merge);
  run_phase(Phase::Inplace);
}

}  // namespace theon
