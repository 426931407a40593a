// tapenet layers: Reshape (Keras), (B, ...) -> (B, target_shape...), one size of which may be -1
// (inferred). Free: a view sharing the input's storage and gradient. The output has no mask. No
// weights.
#pragma once

#include "layers/layer.h"

namespace tn {

class Reshape : public Layer {
public:
    explicit Reshape(Shape target_shape);
    std::string class_name() const override { return "Reshape"; }
    void get_config(ConfigWriter& c) const override { c.integers("target_shape", target_); }
    static std::unique_ptr<Layer> from_config(const ConfigReader& c) { return std::make_unique<Reshape>(c.integers("target_shape")); }
    Shape output_shape(const Shape& input_shape) const override;
    std::vector<WeightSpec> weight_specs(const Shape&) const override { return {}; }
    Tensor compute_mask(const Tensor&, const Tensor&) const override { return Tensor(); }
    const Shape& target_shape() const { return target_; }

protected:
    Tensor call(const Tensor& x, const Tensor&, bool) const override;

private:
    Shape target_;
};

}  // namespace tn
