// tapenet layers: TimeDistributed (Keras), which applies one layer to every time step.
//
//   auto dense = tn::layer<tn::Dense>(8, "tanh");
//   auto y = tn::layer<tn::TimeDistributed>(dense)(x);     // (B, T, D) -> (B, T, 8), one kernel for all steps
//
// The wrapped layer sees (B*T, ...) (the steps stacked as a batch: a reshape, no copy) and its
// output is reshaped back to (B, T, ...), so every step shares the same weights. Those weights are
// the wrapped layer's own tensors, listed as the wrapper's params(): a model saves them as
// "<time_distributed>/kernel", as TensorFlow.js and Keras name them (the wrapped layer's name does
// not appear). A wrapped layer that is built already keeps its weights (and must fit the steps'
// shape); otherwise it is built with a seed drawn from the wrapper's.
//
// Config, as Keras and TF.js 4.22 write it: {"layer": {"class_name": "Dense", "config": {"name":
// "dense", ...}}}. The wrapped class must be one tapenet knows (layers/registry.h).
//
// Masks: the input's (B, T) mask is passed on unchanged (the wrapped layer sees none, as in TF.js).
#pragma once

#include <memory>

#include "layers/layer.h"

namespace tn {

class TimeDistributed : public Layer {
public:
    explicit TimeDistributed(std::shared_ptr<Layer> layer);
    std::string class_name() const override { return "TimeDistributed"; }
    void get_config(ConfigWriter& c) const override;
    static std::unique_ptr<Layer> from_config(const ConfigReader& c);
    Shape output_shape(const Shape& input_shape) const override;
    std::vector<WeightSpec> weight_specs(const Shape& input_shape) const override;
    Rng* random_generator() override { return layer_->random_generator(); }

    Layer& layer() { return *layer_; }
    const Layer& layer() const { return *layer_; }

protected:
    Tensor call(const Tensor& x, const Tensor& mask, bool training) const override;

private:
    // (B, T, rest...) -> (B, rest...): the shape the wrapped layer sees (its batch is B*T).
    Shape step_shape(const Shape& input_shape) const;

    std::shared_ptr<Layer> layer_;
};

}  // namespace tn
