// tapenet layers: LSTM (Keras `LSTM`), composed from core ops so that autograd comes for free.
//
// Shapes: x (B, T, D) -> y (B, T, U) with return_sequences, else y = h_T (B, U).
// Parameters (Keras layout, gate column blocks in the order i, f, c, o, each U wide):
//   kernel            (D, 4U)   glorot_uniform
//   recurrent_kernel  (U, 4U)   orthogonal
//   bias              (4U)      zeros, with the f block set to 1 when unit_forget_bias (absent if !use_bias)
// Each step, from zero initial h and c (or, with three inputs {x, h0, c0}, Keras' initial_state,
// from h0 and c0, each (B, U)):
//   z   = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias           (B, 4U)
//   i   = σ(z_i)   f = σ(z_f)   g = act(z_c)   o = σ(z_o)           σ = recurrent_activation, act = activation
//   c_t = f * c_{t-1} + i * g
//   h_t = o * act(c_t)
// activation and recurrent_activation are linear, relu, sigmoid, hard_sigmoid or tanh; any other
// name (softmax included) is refused when the layer is constructed or loaded.
//
// Masking (mask (B, T) of 0/1): at a masked step the row keeps h_{t-1} and c_{t-1} unchanged, and
// its output at that step is h_{t-1}, as Keras does. With return_sequences the mask is passed on;
// without it the mask is consumed.
//
// Outputs: {y}, or {y, h_T, c_T} with return_state (Keras' return_state; forward_all gives them).
//
// Two implementations of the same math: by default the whole sequence runs as one fused tape op
// with a hand-written backward through time (layers/lstm_kernel.h, the fast path); set_fused(false)
// selects the version composed from core ops (one tape entry per op per step), which is the
// readable reference the fused kernel is tested against (tests/test_fused_kernels.cpp). In both, the
// input projection of all steps is one matmul ((B*T, D) @ (D, 4U)) and each step does one matmul
// with the recurrent kernel. Both take an initial state {x, h0, c0}, with gradients into h0 and c0.
#pragma once

#include "layers/activations.h"
#include "layers/layer.h"
#include "layers/lstm_kernel.h"

namespace tn {

// Everything one forward computes: y (forward's output) and the state after the last step, h and c,
// each (B, U). h and c are part of the graph like y (a gradient into them flows back).
struct LSTMOutputs {
    Tensor y;
    Tensor h;
    Tensor c;
};

class LSTM : public Layer {
public:
    explicit LSTM(int64_t units, bool return_sequences = false, std::string activation = "tanh",
                  std::string recurrent_activation = "sigmoid", bool use_bias = true, bool unit_forget_bias = true,
                  bool return_state = false);

    std::string class_name() const override { return "LSTM"; }
    void get_config(ConfigWriter& config) const override;
    static std::unique_ptr<Layer> from_config(const ConfigReader& config);
    Shape output_shape(const Shape& input_shape) const override;
    // {x} or {x, h0, c0} -> {y} or, with return_state, {y, h, c}.
    std::vector<Shape> output_shapes(const std::vector<Shape>& input_shapes) const override;
    std::vector<WeightSpec> weight_specs(const Shape& input_shape) const override;
    Tensor compute_mask(const Tensor& x, const Tensor& mask) const override;
    std::vector<Tensor> compute_masks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const override;

    // The forward of a built layer, with its final state; writes nothing into the layer. h0 and c0
    // (B, U) are the initial state, both or neither (undefined: zeros).
    LSTMOutputs run(const Tensor& x, const Tensor& mask = {}, const Tensor& h0 = {}, const Tensor& c0 = {}) const;

    int64_t units() const { return units_; }
    bool return_sequences() const { return return_sequences_; }
    bool return_state() const { return return_state_; }
    const std::string& activation() const { return activation_name_; }
    const std::string& recurrent_activation() const { return recurrent_activation_name_; }
    bool use_bias() const { return use_bias_; }
    bool unit_forget_bias() const { return unit_forget_bias_; }

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
    void check_state(const Shape& state, const Shape& x, const char* which) const;
    LSTMOutputs run_composed(const Tensor& x, const Tensor& mask, const Tensor& h0, const Tensor& c0) const;

    int64_t units_;
    bool return_sequences_;
    bool return_state_;
    bool fused_ = true;
    std::string activation_name_, recurrent_activation_name_;
    LstmActivation activation_kind_, recurrent_activation_kind_;  // checked at construction
    ActivationFn activation_, recurrent_activation_;              // the same, for the composed path
    bool use_bias_;
    bool unit_forget_bias_;
    int64_t input_dim_ = 0;                    // D, known once built
    Tensor kernel_, recurrent_kernel_, bias_;  // handles onto params()
};

}  // namespace tn
