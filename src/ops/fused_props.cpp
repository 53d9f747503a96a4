// The typed properties of Fused and its factory. A program read back from bytes is checked to be
// one the fusion rewrite could have built: steps are elementwise ops reading earlier values with
// the compute and output dtypes their scalar op resolves to, since the reference and generated
// kernels index values and convert dtypes by them without further checks.
#include <memory>

#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/fused.hpp"

namespace theon {
namespace {

PropValue step_value(const FusedStep& step) {
  return PropValue::list({PropValue::op(step.op),
                          PropValue::ints(std::vector<int64_t>(step.args.begin(), step.args.end())),
                          PropValue::dtype(step.compute), PropValue::dtype(step.output)});
}

PropValue reduction_value(const std::optional<FusedReduction>& r) {
  if (!r) return PropValue();
  return PropValue::list({PropValue::string(reduction_rule(r->kind).name), PropValue::ints(r->axes),
                          PropValue::boolean(r->keepdims)});
}

// Value numbers must name a value defined before (inputs, then earlier steps).
int value_number(const PropReader& f, std::string_view field, int64_t v, int defined) {
  if (v < 0 || v >= defined) {
    throw ValueError(f.context(field) + ": value " + std::to_string(v) + " is not defined before");
  }
  return static_cast<int>(v);
}

std::vector<FusedStep> steps_from(const PropReader& f, std::vector<DType>& value_dtypes) {
  const std::string ctx = f.context("steps");
  std::vector<FusedStep> steps;
  for (const PropValue& entry : f.get_list("steps")) {
    const std::vector<PropValue>& parts = entry.as_list(ctx);
    if (parts.size() != 4) throw ValueError(ctx + ": a step is (op, args, compute, output)");
    FusedStep step;
    step.op = std::dynamic_pointer_cast<const Elemwise>(parts[0].as_op(ctx));
    if (!step.op) throw ValueError(ctx + ": a step's op must be an Elemwise");
    const ScalarOp& scalar = step.op->scalar();
    const std::vector<int64_t>& args = parts[1].as_ints(ctx);
    if (static_cast<int>(args.size()) != scalar.arity) {
      throw ValueError(ctx + ": " + scalar.name + " takes " + std::to_string(scalar.arity) +
                       " arguments, not " + std::to_string(args.size()));
    }
    std::vector<DType> arg_dtypes;
    const int defined = static_cast<int>(value_dtypes.size());
    for (int64_t a : args) {
      step.args.push_back(value_number(f, "steps", a, defined));
      arg_dtypes.push_back(value_dtypes[step.args.back()]);
    }
    step.compute = parts[2].as_dtype(ctx);
    step.output = parts[3].as_dtype(ctx);
    const ScalarResolution r =
        resolve_scalar(scalar, arg_dtypes, step.op->cast_target().value_or(DType::Float64));
    if (r.compute != step.compute || r.output != step.output) {
      throw ValueError(ctx + ": the dtypes of a " + scalar.name + " step are not its scalar op's");
    }
    value_dtypes.push_back(step.output);
    steps.push_back(std::move(step));
  }
  return steps;
}

std::optional<FusedReduction> reduction_from(const PropReader& f) {
  const PropValue& v = f.at("reduction");
  if (v.is_none()) return std::nullopt;
  const std::string ctx = f.context("reduction");
  const std::vector<PropValue>& parts = v.as_list(ctx);
  if (parts.size() != 3) throw ValueError(ctx + ": expected (kind, axes, keepdims)");
  const std::string& name = parts[0].as_string(ctx);
  for (const ReductionRule& rule : reduction_rules()) {
    if (!rule.fusable || name != rule.name) continue;
    const std::vector<int64_t>& axes = parts[1].as_ints(ctx);
    for (size_t i = 0; i < axes.size(); ++i) {
      if (axes[i] < 0 || (i > 0 && axes[i] <= axes[i - 1])) {
        throw ValueError(ctx + ": axes must be non-negative and increasing");
      }
    }
    return FusedReduction{rule.kind, axes, parts[2].as_bool(ctx)};
  }
  throw ValueError(ctx + ": '" + name + "' is not a reduction a fused loop takes");
}

OpPtr fused_from_fields(const PropReader& f) {
  std::vector<TensorType> input_types;
  std::vector<DType> value_dtypes;
  for (const PropValue& t : f.get_list("input_types")) {
    input_types.push_back(t.as_type(f.context("input_types")));
    value_dtypes.push_back(input_types.back().dtype);
  }
  std::vector<FusedStep> steps = steps_from(f, value_dtypes);
  std::vector<int> outputs;
  for (int64_t v : f.get_ints("outputs")) {
    outputs.push_back(value_number(f, "outputs", v, static_cast<int>(value_dtypes.size())));
  }
  if (outputs.empty()) throw ValueError(f.context("outputs") + ": no outputs");
  std::optional<FusedReduction> reduction = reduction_from(f);
  if (reduction && outputs.size() != 1) {
    throw ValueError(f.context("outputs") + ": a reduction takes exactly one output");
  }
  const std::optional<int64_t> inplace = f.get_optional_int("inplace_input");
  if (inplace && (*inplace < 0 || *inplace >= static_cast<int64_t>(input_types.size()) ||
                  reduction || outputs.size() != 1)) {
    throw ValueError(f.context("inplace_input") + ": " + std::to_string(*inplace) +
                     " is not an input the single unreduced output can be written into");
  }
  return std::make_shared<Fused>(std::move(input_types), std::move(steps), std::move(outputs),
                                 std::move(reduction), static_cast<int>(inplace.value_or(-1)));
}

}  // namespace

Props Fused::fields() const {
  std::vector<PropValue> types, steps;
  for (const TensorType& t : input_types_) types.push_back(PropValue::type(t));
  for (const FusedStep& step : steps_) steps.push_back(step_value(step));
  return {{"input_types", PropValue::list(std::move(types))},
          {"steps", PropValue::list(std::move(steps))},
          {"outputs", PropValue::ints(std::vector<int64_t>(outputs_.begin(), outputs_.end()))},
          {"reduction", reduction_value(reduction_)},
          {"inplace_input",
           PropValue::optional_int(inplace_input_ >= 0 ? std::optional<int64_t>(inplace_input_)
                                                       : std::nullopt)}};
}

THEON_OP_FILE(fused_props) {
  register_op_factory("Fused", fused_from_fields);
}

}  // namespace theon
