// Shape rewrites: x.shape, x.shape[i] and x.size computed from the inputs' shapes through each
// op's infer_shape, so that asking for a shape does not compute the tensor.
#include "theon/ops/shape.hpp"

#include "theon/graph/op.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/rewrite/groups.hpp"
#include "util.hpp"

namespace theon {
namespace {

using namespace rewrite_util;

std::optional<std::vector<Var>> shape_i_from_inputs(FunctionGraph&, Apply* node) {
  const Var& x = node->inputs()[0];
  const int d = static_cast<int>(static_cast<const ShapeI&>(*node->op()).i());
  if (x->type.shape[d] != kUnknownDim) {
    return std::vector<Var>{scalar_constant(x->type.shape[d], DType::Int64)};
  }
  if (!x->owner) return std::nullopt;
  auto dims = output_dims(x->owner, x->index);
  if (!dims) return std::nullopt;
  return std::vector<Var>{(*dims)[d]};
}

std::optional<std::vector<Var>> shape_as_dims(FunctionGraph&, Apply* node) {
  const Var& x = node->inputs()[0];
  if (!x->owner && x->type.ndim() > 0) {
    bool any_known = false;
    for (int64_t d : x->type.shape) any_known = any_known || d != kUnknownDim;
    if (!any_known) return std::nullopt;
  }
  std::vector<Var> dims;
  for (int d = 0; d < x->type.ndim(); ++d) dims.push_back(dim_of(x, d));
  return std::vector<Var>{make_vector(dims, DType::Int64)};
}

std::optional<std::vector<Var>> size_as_product(FunctionGraph&, Apply* node) {
  const Var& x = node->inputs()[0];
  Var n = scalar_constant(int64_t{1}, DType::Int64);
  for (int d = 0; d < x->type.ndim(); ++d) n = mul(n, dim_of(x, d));
  return std::vector<Var>{n};
}

// The dims of v built only from leaves' shapes (Shape_i of inputs and shared variables) and
// constants, through at most `depth` levels of infer_shape; nullopt if that is not enough.
// Bounded so that a deep chain does not turn into a cascade of shape rewrites.
std::optional<std::vector<Var>> leaf_dims(const Var& v, int depth) {
  std::vector<Var> dims;
  bool static_known = true;
  for (int64_t d : v->type.shape) static_known = static_known && d != kUnknownDim;
  if (static_known || !v->owner) {
    for (int d = 0; d < v->type.ndim(); ++d) dims.push_back(dim_of(v, d));
    return dims;
  }
  if (depth == 0) return std::nullopt;
  std::vector<std::vector<Var>> input_shapes;
  for (const auto& in : v->owner->inputs()) {
    auto in_dims = leaf_dims(in, depth - 1);
    if (!in_dims) return std::nullopt;
    input_shapes.push_back(std::move(*in_dims));
  }
  auto shapes = v->owner->op()->infer_shape(v->owner->inputs(), input_shapes);
  if (!shapes) return std::nullopt;
  for (Var dim : shapes->at(v->index)) {
    dims.push_back(dim->type.dtype == DType::Int64 ? dim : cast(dim, DType::Int64));
  }
  return dims;
}

// SumToShape(g, like) -> SumToDims(g, dims of like) when like's dims follow from the leaves'
// shapes in a few steps: the gradient then no longer reads `like`, so like's node keeps a
// single reader in the forward graph (it can be fused into, or be the accumulator of a gemm)
// and its buffer can be released earlier.
std::optional<std::vector<Var>> sum_to_shape_dims(FunctionGraph&, Apply* node) {
  if (node->op()->type_name() != "SumToShape") return std::nullopt;
  const Var& like = node->inputs()[1];
  if (!like->owner) return std::nullopt;  // an input's shape costs nothing to keep
  auto dims = leaf_dims(like, 3);
  if (!dims) return std::nullopt;
  return std::vector<Var>{sum_to_dims(node->inputs()[0], *dims, like->type.shape)};
}

// SumToShape(g, like) or SumToDims(g, dims...) whose target is statically 1 on axes where g
// is not (and g's extra leading axes): those axes are summed whatever the run-time shapes, so
// a Sum over them comes first (with keepdims; fusion folds it into g's loop instead of g being
// written out and read back), and the node then sums what is left: nothing, unless a None
// dimension broadcast at run time. Sums combine in an unspecified order, as in reduce_reduce.
std::optional<std::vector<Var>> sum_static_axes_first(FunctionGraph&, Apply* node) {
  const std::string type = node->op()->type_name();
  if (type != "SumToShape" && type != "SumToDims") return std::nullopt;
  const Var& g = node->inputs()[0];
  const StaticShape& target = node->output(0)->type.shape;
  const StaticShape& have = g->type.shape;
  const size_t lead = have.size() - target.size();
  std::vector<int64_t> axes;
  for (size_t i = 0; i < have.size(); ++i) {
    const bool summed = i < lead || target[i - lead] == 1;
    if (summed && have[i] != 1) axes.push_back(static_cast<int64_t>(i));
  }
  if (axes.empty()) return std::nullopt;
  const Var partial = sum(g, axes, true);
  if (type == "SumToShape") return std::vector<Var>{sum_to_shape(partial, node->inputs()[1])};
  const std::vector<Var> dims(node->inputs().begin() + 1, node->inputs().end());
  return std::vector<Var>{sum_to_dims(partial, dims, target)};
}

}  // namespace

std::vector<NodeRewriter> shape_rules() {
  const std::set<std::string> tags{"fast_run", "shape"};
  return {
      {"shape_i_from_inputs", {"Shape_i"}, shape_i_from_inputs, tags},
      {"shape_as_dims", {"Shape"}, shape_as_dims, tags},
      {"size_as_product", {"Size"}, size_as_product, tags},
      {"sum_to_shape_dims", {"SumToShape"}, sum_to_shape_dims, tags},
      {"sum_static_axes_first", {"SumToShape", "SumToDims"}, sum_static_axes_first, tags},
  };
}

}  // namespace theon
