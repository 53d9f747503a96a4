// The Scan op class, for its files in src/ops/scan/ (scan_op.cpp: types, shapes, identity,
// building; scan_run.cpp: the loop; scan_grad.cpp: the gradient, itself a scan) and the scan
// rewrites (src/rewrite/scan.cpp).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "theon/compile/linker.hpp"
#include "theon/core/value.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/scan.hpp"

namespace theon {

class Scan final : public Op {
 public:
  // inner_inputs: sequences, taps, carried, non-sequences (the spec's order).
  Scan(ScanSpec spec, std::vector<Var> inner_inputs, std::vector<Var> inner_outputs);
  // The op with its body interned: when a living scan has an equal body (the same computation
  // over inputs of the same types), this one takes that body's variables, so that equal loops
  // are equal ops (the fields hold the body's variables, which compare by identity).
  static std::shared_ptr<const Scan> interned(ScanSpec spec, std::vector<Var> inner_inputs,
                                              std::vector<Var> inner_outputs);

  std::string type_name() const override { return "Scan"; }
  Props fields() const override;
  std::string props() const override;

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& input_shapes) const override;

  // The loop over values (host arrays or other kinds, e.g. generator states).
  void run(const std::vector<Value>& inputs, std::vector<Value>& outputs) const;

  const ScanSpec& spec() const { return spec_; }
  const std::vector<Var>& inner_inputs() const { return inner_inputs_; }
  const std::vector<Var>& inner_outputs() const { return inner_outputs_; }

  // Positions in the outer inputs.
  int seq_begin() const { return 1; }
  int init_begin() const { return 1 + spec_.n_seqs; }
  int carried_begin() const { return init_begin() + spec_.n_mitsot(); }
  int nonseq_begin() const { return carried_begin() + spec_.n_carried; }
  // Positions in the inner inputs.
  int inner_tap_begin() const { return spec_.n_seqs; }
  int inner_carried_begin() const { return spec_.n_seqs + spec_.n_tap_inputs(); }
  int inner_nonseq_begin() const { return inner_carried_begin() + spec_.n_carried; }
  // "Scan{name}" or "Scan" for messages.
  std::string label() const;

 private:
  struct Compiled {
    std::unique_ptr<FunctionGraph> fg;
    Linked linked;
  };
  const Compiled& compiled() const;

  ScanSpec spec_;
  std::vector<Var> inner_inputs_;
  std::vector<Var> inner_outputs_;
  mutable std::once_flag compile_once_;
  mutable std::unique_ptr<Compiled> compiled_;
};

}  // namespace theon
