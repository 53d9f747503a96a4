#include "theon/ops/fused.hpp"

#include <algorithm>

#include "theon/core/error.hpp"

namespace theon {

Fused::Fused(std::vector<TensorType> input_types, std::vector<FusedStep> steps,
             std::vector<int> outputs, std::optional<FusedReduction> reduction, int inplace_input)
    : input_types_(std::move(input_types)),
      steps_(std::move(steps)),
      outputs_(std::move(outputs)),
      reduction_(std::move(reduction)),
      inplace_input_(inplace_input) {}

std::shared_ptr<Fused> Fused::with_inplace_input(int input) const {
  return std::make_shared<Fused>(input_types_, steps_, outputs_, reduction_, input);
}

std::vector<std::pair<int, int>> Fused::destroy_map() const {
  if (inplace_input_ < 0) return {};
  return {{0, inplace_input_}};
}

DType Fused::value_dtype(int value) const {
  const int nin = static_cast<int>(input_types_.size());
  return value < nin ? input_types_[value].dtype : steps_[value - nin].output;
}

bool Fused::is_scalar_input(int input) const {
  const StaticShape& s = input_types_[input].shape;
  return std::all_of(s.begin(), s.end(), [](int64_t d) { return d == 1; });
}

std::string Fused::props() const {
  // The program, one step per entry: "v2=mul(v0,v1)".
  const int nin = static_cast<int>(input_types_.size());
  std::string s;
  for (int i = 0; i < nin; ++i) {
    s += (i ? "," : "") + std::string(dtype_name(input_types_[i].dtype)) +
         static_shape_str(input_types_[i].shape);
  }
  s += ";";
  for (size_t j = 0; j < steps_.size(); ++j) {
    s += "v" + std::to_string(nin + j) + "=" + steps_[j].op->props() + "(";
    for (size_t a = 0; a < steps_[j].args.size(); ++a) {
      s += (a ? ",v" : "v") + std::to_string(steps_[j].args[a]);
    }
    s += ");";
  }
  s += "out=";
  for (size_t k = 0; k < outputs_.size(); ++k) s += (k ? ",v" : "v") + std::to_string(outputs_[k]);
  if (reduction_) {
    s += ";" + std::string(reduction_rule(reduction_->kind).name) + "(axis=(";
    for (int64_t a : reduction_->axes) s += std::to_string(a) + ",";
    s += std::string(")") + (reduction_->keepdims ? ",keepdims" : "") + ")";
  }
  if (inplace_input_ >= 0) s += ";inplace=v" + std::to_string(inplace_input_);
  return s;
}

std::vector<TensorType> Fused::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != input_types_.size()) {
    throw TypeError(op_error(*this, "expected " + std::to_string(input_types_.size()) +
                                        " inputs, got " + std::to_string(inputs.size())));
  }
  // The program's kernels read each input as the dtype it was built for.
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i]->type.dtype != input_types_[i].dtype) {
      throw TypeError(op_error(*this, "input " + std::to_string(i) + " is " +
                                          inputs[i]->type.str() + ", the loop was built for " +
                                          input_types_[i].str()));
    }
  }
  // Types of every value, from the member ops' own type rules.
  std::vector<Var> values = inputs;
  for (const FusedStep& step : steps_) {
    std::vector<Var> args;
    for (int a : step.args) args.push_back(values[a]);
    values.push_back(make_node1(step.op, args));
  }
  std::vector<TensorType> out;
  for (int v : outputs_) out.push_back(values[v]->type);
  if (reduction_) {
    const Var reduced =
        make_node1(make_reduce_op(reduction_->kind, reduction_->axes, reduction_->keepdims),
                   {values[outputs_[0]]});
    out = {reduced->type};
  }
  return out;
}

std::optional<std::vector<std::vector<Var>>> Fused::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>&) const {
  // Fusion runs after the shape rewrites; shapes are read off the outputs.
  return std::nullopt;
}

std::string Fused::pprint(const std::vector<std::string>& args) const {
  std::string s = "Fused{";
  for (size_t j = 0; j < steps_.size(); ++j) s += (j ? "," : "") + steps_[j].op->scalar().name;
  if (reduction_) s += "|" + std::string(reduction_rule(reduction_->kind).name);
  s += "}(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
  return s + ")";
}

void Fused::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  std::vector<NDArray> values = inputs;
  for (const FusedStep& step : steps_) {
    std::vector<NDArray> args;
    for (int a : step.args) args.push_back(values[a]);
    std::vector<NDArray> result(1);
    step.op->perform(args, result);
    values.push_back(std::move(result[0]));
  }
  if (reduction_) {
    auto reduce = make_reduce_op(reduction_->kind, reduction_->axes, reduction_->keepdims);
    std::vector<NDArray> in{values[outputs_[0]]};
    reduce->perform(in, outputs);
    return;
  }
  for (size_t k = 0; k < outputs_.size(); ++k) outputs[k] = values[outputs_[k]];
}

}  // namespace theon
