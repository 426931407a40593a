// tapenet layers: Bidirectional (Keras `Bidirectional`), an LSTM or GRU run forwards and backwards.
//
//   tn::Bidirectional bi(std::make_unique<tn::LSTM>(64, /*return_sequences=*/true), "concat");
//   Tensor y = bi.forward(x);                       // (B, T, 128)
//
// The wrapped layer runs on x (the "forward" copy); a second layer of the same config (the
// "backward" copy) runs on x reversed in time (and its mask reversed), as Keras' go_backwards. With
// return_sequences the backward copy's output sequence is reversed back, so that step t of both
// halves refers to input step t; without, each half is its final state. The halves merge by
// merge_mode: concat (last axis, forward first), sum, ave, mul, or none (two outputs {y_f, y_b}).
// With return_state the states follow: {y, h_f, [c_f,] h_b, [c_b]} (Keras' order).
//
// Weights: the forward copy's then the backward copy's, named as Keras and TF.js name them,
// "forward_<layer>/kernel", ..., "backward_<layer>/kernel", ... (in a model "<bidirectional>/forward_lstm/kernel").
// Config (as Keras and TF.js write it): {layer: {class_name, config}, merge_mode} (merge_mode null
// for none). Masks: with return_sequences the input mask passes on (twice for none); else consumed.
#pragma once

#include <memory>

#include "layers/layer.h"

namespace tn {

class Bidirectional : public Layer {
public:
    // `layer` must be an LSTM or a GRU; merge_mode "concat", "sum", "ave", "mul" or "none" (Keras' None).
    explicit Bidirectional(std::unique_ptr<Layer> layer, std::string merge_mode = "concat");

    std::string class_name() const override { return "Bidirectional"; }
    void get_config(ConfigWriter& config) const override;
    static std::unique_ptr<Layer> from_config(const ConfigReader& config);
    Shape output_shape(const Shape& input_shape) const override;
    std::vector<Shape> output_shapes(const std::vector<Shape>& input_shapes) const override;
    std::vector<WeightSpec> weight_specs(const Shape& input_shape) const override;
    std::vector<Tensor> compute_masks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const override;
    Tensor compute_mask(const Tensor& x, const Tensor& mask) const override;

    const std::string& merge_mode() const { return merge_mode_; }
    const Layer& forward_layer() const { return *forward_; }
    const Layer& backward_layer() const { return *backward_; }
    // The fused kernels (default) or the composed reference paths of both copies.
    void set_fused(bool on);

protected:
    void on_built(const Shape& input_shape, Rng& rng) override;
    Tensor call(const Tensor& x, const Tensor& mask, bool training) const override;
    std::vector<Tensor> call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                 bool training) const override;

private:
    bool return_sequences() const;
    size_t state_count() const;  // states per direction with return_state: 2 (LSTM), 1 (GRU), else 0
    Tensor merge(const Tensor& y_f, const Tensor& y_b) const;

    std::string inner_name_;  // the wrapped layer's own name ("lstm"), as its config carries it
    std::string merge_mode_;
    std::unique_ptr<Layer> forward_, backward_;
};

// y[:, t] = x[:, T-1-t] for x (B, T, ...): a tape op (its backward reverses the gradient back).
Tensor reverse_steps(const Tensor& x);

}  // namespace tn
