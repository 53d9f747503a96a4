#include "theon/ops/fused_draw.hpp"

#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/random.hpp"

namespace theon {

FusedDraw::FusedDraw(std::shared_ptr<const Fused> loop, OpPtr draw, int drawn)
    : loop_(std::move(loop)), draw_(std::move(draw)), drawn_(drawn) {}

Props FusedDraw::fields() const {
  return {{"loop", PropValue::op(loop_)},
          {"draw", PropValue::op(draw_)},
          {"drawn", PropValue::integer(drawn_)}};
}

std::string FusedDraw::props() const {
  return loop_->props() + ";drawn=v" + std::to_string(drawn_) + "=" + draw_->name();
}

std::vector<TensorType> FusedDraw::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() < others() + 1) {
    throw TypeError(op_error(*this, "expected at least " + std::to_string(others() + 1) +
                                        " inputs, got " + std::to_string(inputs.size())));
  }
  const std::vector<Var> drawn = make_node(draw_, draw_args(inputs));
  std::vector<TensorType> out = loop_->output_types(loop_args(inputs, drawn[1]));
  out.push_back(drawn[0]->type);
  return out;
}

void FusedDraw::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const size_t nout = outputs.size() - 1;
  std::vector<NDArray> drawn(2);
  drawn[0] = std::move(outputs[nout]);
  draw_->perform(draw_args(inputs), drawn);
  std::vector<NDArray> results(std::make_move_iterator(outputs.begin()),
                               std::make_move_iterator(outputs.begin() + static_cast<long>(nout)));
  loop_->perform(loop_args(inputs, drawn[1]), results);
  for (size_t k = 0; k < nout; ++k) outputs[k] = std::move(results[k]);
  outputs[nout] = std::move(drawn[0]);
}

std::vector<std::pair<int, int>> FusedDraw::destroy_map() const {
  const int input = loop_->inplace_input();
  if (input < 0 || input == drawn_) return {};
  return {{0, input < drawn_ ? input : input - 1}};
}

std::string FusedDraw::pprint(const std::vector<std::string>& args) const {
  std::vector<std::string> loop_args_printed = loop_args(args, draw_->name());
  return "FusedDraw" + loop_->pprint(loop_args_printed).substr(5);
}

namespace {

OpPtr fused_draw_from_fields(const PropReader& f) {
  auto loop = std::dynamic_pointer_cast<const Fused>(f.at("loop").as_op(f.context("loop")));
  if (!loop) throw ValueError(f.context("loop") + ": expected a Fused op");
  if (loop->reduction()) throw ValueError(f.context("loop") + ": a loop that reduces");
  const OpPtr& draw = f.at("draw").as_op(f.context("draw"));
  if (draw->type_name() != "RandomVariable") {
    throw ValueError(f.context("draw") + ": expected a RandomVariable, got " + draw->type_name());
  }
  const int64_t drawn = f.get_int("drawn");
  if (drawn < 0 || drawn >= static_cast<int64_t>(loop->input_types().size())) {
    throw ValueError(f.context("drawn") + ": " + std::to_string(drawn) +
                     " is not an input of the loop");
  }
  if (drawn == loop->inplace_input()) {
    throw ValueError(f.context("drawn") + ": the loop writes into its drawn input");
  }
  return std::make_shared<FusedDraw>(std::move(loop), draw, static_cast<int>(drawn));
}

}  // namespace

THEON_OP_FILE(fused_draw) {
  register_op_factory("FusedDraw", fused_draw_from_fields);
}

}  // namespace theon
