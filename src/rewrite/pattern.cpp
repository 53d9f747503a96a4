#include "theon/rewrite/pattern.hpp"

#include <cctype>
#include <memory>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"

namespace theon {
namespace {

struct Node {
  enum class Kind { Call, Number, Bind } kind;
  std::string name;  // call name or bound name
  double number = 0;
  std::vector<std::unique_ptr<Node>> args;
};

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) {}
  std::unique_ptr<Node> parse() {
    auto n = expr();
    skip();
    if (pos_ != text_.size()) fail("unexpected text");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ValueError("pattern '" + text_ + "': " + what + " at position " + std::to_string(pos_));
  }
  void skip() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  std::string ident() {
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      ++pos_;
    if (start == pos_) fail("expected a name");
    return text_.substr(start, pos_ - start);
  }
  std::unique_ptr<Node> expr() {
    skip();
    auto n = std::make_unique<Node>();
    if (pos_ < text_.size() && text_[pos_] == '$') {
      ++pos_;
      n->kind = Node::Kind::Bind;
      n->name = ident();
      return n;
    }
    if (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) ||
                                text_[pos_] == '-' || text_[pos_] == '.')) {
      size_t used = 0;
      n->kind = Node::Kind::Number;
      n->number = std::stod(text_.substr(pos_), &used);
      pos_ += used;
      return n;
    }
    n->kind = Node::Kind::Call;
    n->name = ident();
    skip();
    if (pos_ >= text_.size() || text_[pos_] != '(') fail("expected '('");
    ++pos_;
    while (true) {
      n->args.push_back(expr());
      skip();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ')') {
        ++pos_;
        break;
      }
      fail("expected ',' or ')'");
    }
    return n;
  }
  const std::string& text_;
  size_t pos_ = 0;
};

// `name` is `type_name` in lower case.
bool lowercase_of(const std::string& type_name, const std::string& name) {
  if (type_name.size() != name.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (static_cast<char>(std::tolower(static_cast<unsigned char>(type_name[i]))) != name[i]) {
      return false;
    }
  }
  return true;
}

bool op_matches(const Op& op, const std::string& name) {
  if (auto* e = dynamic_cast<const Elemwise*>(&op)) {
    return !e->cast_target() && e->scalar().name == name;
  }
  return lowercase_of(op.type_name(), name);
}

bool commutative(const std::string& name) {
  return name == "add" || name == "mul" || name == "maximum" || name == "minimum" ||
         name == "equal" || name == "not_equal";
}

bool match(const Node& p, const Var& v, Bindings& b) {
  switch (p.kind) {
    case Node::Kind::Bind: {
      auto it = b.find(p.name);
      if (it != b.end()) return it->second == v;
      b[p.name] = v;
      return true;
    }
    case Node::Kind::Number: {
      auto c = scalar_constant_value(v);
      return c && *c == p.number;
    }
    case Node::Kind::Call:
      break;
  }
  if (!v->owner || !op_matches(*v->owner->op(), p.name)) return false;
  const auto& in = v->owner->inputs();
  if (in.size() != p.args.size()) return false;
  Bindings trial = b;
  bool ok = true;
  for (size_t i = 0; ok && i < in.size(); ++i) ok = match(*p.args[i], in[i], trial);
  if (ok) {
    b = std::move(trial);
    return true;
  }
  if (commutative(p.name) && in.size() == 2) {
    trial = b;
    if (match(*p.args[0], in[1], trial) && match(*p.args[1], in[0], trial)) {
      b = std::move(trial);
      return true;
    }
  }
  return false;
}

Var construct(const Node& p, const Bindings& b, DType number_dtype) {
  switch (p.kind) {
    case Node::Kind::Bind:
      return b.at(p.name);
    case Node::Kind::Number:
      return scalar_constant(p.number, number_dtype);
    case Node::Kind::Call:
      break;
  }
  // Numbers among the arguments take the dtype of the first variable argument.
  DType dt = number_dtype;
  std::vector<Var> bound;
  for (const auto& a : p.args) {
    if (a->kind != Node::Kind::Number) {
      bound.push_back(construct(*a, b, number_dtype));
      dt = bound.back()->type.dtype;
      break;
    }
  }
  std::vector<Var> args;
  for (const auto& a : p.args) args.push_back(construct(*a, b, dt));
  return build(p.name, args, Params{}).at(0);
}

}  // namespace

std::optional<double> scalar_constant_value(const Var& v) {
  if (!v->constant || v->constant->size() != 1) return std::nullopt;
  return v->constant->flat_as_double(0);
}

NodeRewriter pattern_rewriter(const std::string& name, const std::string& pattern,
                              const std::string& replacement,
                              std::function<bool(const Bindings&)> where) {
  std::shared_ptr<Node> pat = Parser(pattern).parse();
  std::shared_ptr<Node> rep = Parser(replacement).parse();
  if (pat->kind != Node::Kind::Call) {
    throw ValueError("pattern '" + pattern + "': must start with an op call");
  }
  NodeRewriter r;
  r.name = name;
  r.transform = [pat, rep, where](FunctionGraph&, Apply* node) -> std::optional<std::vector<Var>> {
    // Most nodes fail at the root: tested before anything is built for the match.
    if (node->nout() != 1 || !op_matches(*node->op(), pat->name)) return std::nullopt;
    Bindings b;
    Var out = node->output(0);
    if (!match(*pat, out, b)) return std::nullopt;
    if (where && !where(b)) return std::nullopt;
    Var result = construct(*rep, b, out->type.dtype);
    if (result->type.dtype != out->type.dtype) result = cast(result, out->type.dtype);
    return std::vector<Var>{result};
  };
  return r;
}

}  // namespace theon
