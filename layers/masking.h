// tapenet layers: Masking (Keras), which marks the time steps whose features all equal mask_value
// as padding.
//
//   auto value = tn::layer<tn::Masking>(0.0f)(tn::Input({20, 8}));   // a step of eight 0s is padding
//
// Input (B, T, ...): the mask is (B, T), 1 where any feature of step t differs from mask_value;
// the output is the input with the padded steps set to 0 (x * mask), as Keras. No weights.
#pragma once

#include "layers/layer.h"

namespace tn {

class Masking : public Layer {
public:
    explicit Masking(float mask_value = 0.0f) : Layer("masking"), mask_value_(mask_value) {}
    std::string class_name() const override { return "Masking"; }
    void get_config(ConfigWriter& c) const override { c.number("mask_value", mask_value_); }
    static std::unique_ptr<Layer> from_config(const ConfigReader& c) {
        return std::make_unique<Masking>(static_cast<float>(c.number("mask_value", 0.0)));
    }
    Shape output_shape(const Shape& input_shape) const override;
    std::vector<WeightSpec> weight_specs(const Shape&) const override { return {}; }
    Tensor compute_mask(const Tensor& x, const Tensor& mask) const override;
    float mask_value() const { return mask_value_; }

protected:
    Tensor call(const Tensor& x, const Tensor& mask, bool training) const override;

private:
    float mask_value_;
};

}  // namespace tn
