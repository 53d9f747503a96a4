// FusedDraw: a Fused loop one of whose inputs is a random draw (a dropout mask) that the loop
// makes itself, a tile at a time, so that the draw never goes through memory as a whole array.
// Inputs: the loop's inputs without the drawn one, then the draw's (state, [size], params).
// Outputs: the loop's outputs, then the draw's new state. Built after the inplace pass by the
// draw_into_loop rewrite (src/rewrite/draw_into_loop.cpp). Element i of the draw is element i
// of the RandomVariable's sample, so the values are those of the graph it replaces.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/ops/fused.hpp"

namespace theon {

class FusedDraw final : public Op {
 public:
  // `draw` is a RandomVariable; `drawn` the loop's input its sample is.
  FusedDraw(std::shared_ptr<const Fused> loop, OpPtr draw, int drawn);
  const std::shared_ptr<const Fused>& loop() const { return loop_; }
  const Op& draw() const { return *draw_; }
  int drawn() const { return drawn_; }

  // The loop's inputs, given the node's inputs and the sample.
  template <class T>
  std::vector<T> loop_args(const std::vector<T>& inputs, const T& sample) const {
    std::vector<T> args(inputs.begin(), inputs.begin() + static_cast<long>(others()));
    args.insert(args.begin() + drawn_, sample);
    return args;
  }
  // The draw's inputs, given the node's inputs.
  template <class T>
  std::vector<T> draw_args(const std::vector<T>& inputs) const {
    return std::vector<T>(inputs.begin() + static_cast<long>(others()), inputs.end());
  }

  std::string type_name() const override { return "FusedDraw"; }
  Props fields() const override;
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<std::pair<int, int>> destroy_map() const override;
  std::string pprint(const std::vector<std::string>& args) const override;

 private:
  // How many of the node's inputs are the loop's.
  size_t others() const { return loop_->input_types().size() - 1; }

  std::shared_ptr<const Fused> loop_;
  OpPtr draw_;
  int drawn_;
};

}  // namespace theon
