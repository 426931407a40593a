// tapenet layers: Dense, the fully connected layer (Keras `Dense`).
//
//   y = activation(x @ kernel + bias)        over the last axis of x
//   x (B, D) or (B, T, D)  ->  y (B, units) or (B, T, units)
//   kernel (D, units)  glorot_uniform;   bias (units)  zeros (absent when use_bias = false)
//
// Config: units, activation, use_bias (+ the initializers Keras writes: GlorotUniform, Zeros).
#pragma once

#include "layers/activations.h"
#include "layers/layer.h"

namespace tn {

class Dense : public Layer {
public:
    explicit Dense(int64_t units, std::string_view activation = "linear", bool use_bias = true);

    std::string class_name() const override { return "Dense"; }
    void get_config(ConfigWriter& config) const override;
    static std::unique_ptr<Layer> from_config(const ConfigReader& config);
    Shape output_shape(const Shape& input_shape) const override;
    std::vector<WeightSpec> weight_specs(const Shape& input_shape) const override;

    // x @ kernel + bias, before the activation (what a loss "from logits" takes). Needs a built layer.
    Tensor logits(const Tensor& x) const;

    int64_t units() const { return units_; }
    ActivationKind activation() const { return activation_; }
    bool use_bias() const { return use_bias_; }

protected:
    void on_built(const Shape& input_shape, Rng& rng) override;
    Tensor call(const Tensor& x, const Tensor& mask, bool training) const override;

private:
    void check_input(const Shape& shape) const;

    int64_t units_;
    ActivationKind activation_;
    bool use_bias_;
    int64_t input_dim_ = 0;  // D, known once built
    Tensor kernel_, bias_;   // handles onto params()
};

}  // namespace tn
