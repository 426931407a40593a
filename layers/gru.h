// tapenet layers: GRU (Keras `GRU`).
//
// Shapes: x (B, T, D) -> y (B, T, U) with return_sequences, else y = h_T (B, U).
// Parameters (Keras layout, gate column blocks in the order z, r, h, each U wide):
//   kernel            (D, 3U)   glorot_uniform
//   recurrent_kernel  (U, 3U)   orthogonal
//   bias              reset_after: (2, 3U), row 0 the input bias, row 1 the recurrent bias;
//                     else (3U); zeros; absent if !use_bias
// Each step, from zero initial h (or, with two inputs {x, h0}, Keras' initial_state, from h0 (B, U)):
//   z  = σ(x_t W_z + h W'_z + b_z)            r = σ(x_t W_r + h W'_r + b_r)     (+ b'_z, b'_r with reset_after)
//   hh = act(x_t W_h + b_h + r * (h W'_h + b'_h))     reset_after (Keras 2's default)
//   hh = act(x_t W_h + b_h + (r * h) W'_h)             reset_after = false (Keras 1, the only form TF.js loads)
//   h_t = z * h_{t-1} + (1 - z) * hh
// σ = recurrent_activation, act = activation: linear, relu, sigmoid, hard_sigmoid or tanh. Keras'
// defaults are tanh and sigmoid; a config without recurrent_activation reads as TF.js' default,
// hard_sigmoid, and one without reset_after as false (TF.js' only form; Keras always writes both).
//
// Masking (mask (B, T) of 0/1): at a masked step a row keeps h_{t-1} and outputs it, as Keras does.
// With return_sequences the mask is passed on; without it the mask is consumed.
//
// Outputs: {y}, or {y, h_T} with return_state.
//
// By default the whole sequence runs as one fused tape op (layers/gru_kernel.h); set_fused(false)
// selects the version composed from core ops, the readable reference the kernel is tested against.
#pragma once

#include "layers/activations.h"
#include "layers/layer.h"
#include "layers/lstm_kernel.h"

namespace tn {

// What one forward computes: y and the state after the last step, h (B, U), both in the graph.
struct GRUOutputs {
    Tensor y;
    Tensor h;
};

class GRU : public Layer {
public:
    explicit GRU(int64_t units, bool return_sequences = false, std::string activation = "tanh",
                 std::string recurrent_activation = "sigmoid", bool use_bias = true, bool reset_after = true,
                 bool return_state = false);

    std::string class_name() const override { return "GRU"; }
    void get_config(ConfigWriter& config) const override;
    static std::unique_ptr<Layer> from_config(const ConfigReader& config);
    Shape output_shape(const Shape& input_shape) const override;
    // {x} or {x, h0} -> {y} or, with return_state, {y, h}.
    std::vector<Shape> output_shapes(const std::vector<Shape>& input_shapes) const override;
    std::vector<WeightSpec> weight_specs(const Shape& input_shape) const override;
    Tensor compute_mask(const Tensor& x, const Tensor& mask) const override;
    std::vector<Tensor> compute_masks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const override;

    // The forward of a built layer, with its final state; writes nothing into the layer. h0 (B, U)
    // is the initial state (undefined: zeros).
    GRUOutputs run(const Tensor& x, const Tensor& mask = {}, const Tensor& h0 = {}) const;

    int64_t units() const { return units_; }
    bool return_sequences() const { return return_sequences_; }
    bool return_state() const { return return_state_; }
    bool reset_after() const { return reset_after_; }
    bool use_bias() const { return use_bias_; }
    const std::string& activation() const { return activation_name_; }
    const std::string& recurrent_activation() const { return recurrent_activation_name_; }

    // true (default): the fused kernel; false: the composed reference path. Same results within 1e-5.
    void set_fused(bool on) { fused_ = on; }
    bool fused() const { return fused_; }

protected:
    void on_built(const Shape& input_shape, Rng& rng) override;
    Tensor call(const Tensor& x, const Tensor& mask, bool training) const override;
    std::vector<Tensor> call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                 bool training) const override;

private:
    void check_input(const Shape& shape) const;
    void check_state(const Shape& state, const Shape& x) const;
    GRUOutputs run_composed(const Tensor& x, const Tensor& mask, const Tensor& h0) const;

    int64_t units_;
    bool return_sequences_;
    bool return_state_;
    bool reset_after_;
    bool use_bias_;
    bool fused_ = true;
    std::string activation_name_, recurrent_activation_name_;
    LstmActivation activation_kind_, recurrent_activation_kind_;  // checked at construction
    ActivationFn activation_, recurrent_activation_;              // the same, for the composed path
    int64_t input_dim_ = 0;                    // D, known once built
    Tensor kernel_, recurrent_kernel_, bias_;  // handles onto params()
};

}  // namespace tn
