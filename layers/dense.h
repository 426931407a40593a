// tapenet layers: Dense, the fully connected layer (Keras `Dense`).
//
//   y = activation(x @ kernel + bias)        over the last axis of x
//   x (B, D) or (B, T, D)  ->  y (B, units) or (B, T, units)
//   kernel (D, units)  glorot_uniform;   bias (units)  zeros (absent when use_bias = false)
#pragma once

#include "layers/activations.h"
#include "layers/layer.h"

namespace tn {

class Dense : public Layer {
public:
    explicit Dense(int64_t units, std::string activation = "linear", bool use_bias = true);

    std::string class_name() const override { return "Dense"; }
    Json config() const override;
    Shape output_shape(const Shape& input_shape) const override;

    int64_t units() const { return units_; }
    const std::string& activation() const { return activation_name_; }
    bool use_bias() const { return use_bias_; }

protected:
    void build_params(const Shape& input_shape, Rng& rng) override;
    Tensor call(const Tensor& x, const Tensor& mask, bool training) const override;

private:
    void check_input(const Shape& shape) const;

    int64_t units_;
    std::string activation_name_;
    ActivationFn activation_;
    bool use_bias_;
    int64_t input_dim_ = 0;  // D, known once built
    Tensor kernel_, bias_;   // handles onto params()
};

}  // namespace tn
