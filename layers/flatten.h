// tapenet layers: Flatten (Keras), (B, d1, d2, ...) -> (B, d1 * d2 * ...). Free (a view). The
// output has no mask. No weights.
#pragma once

#include "layers/layer.h"

namespace tn {

class Flatten : public Layer {
public:
    Flatten() : Layer("flatten") {}
    std::string class_name() const override { return "Flatten"; }
    void get_config(ConfigWriter& c) const override { c.text("data_format", "channels_last"); }
    static std::unique_ptr<Layer> from_config(const ConfigReader& c);
    Shape output_shape(const Shape& input_shape) const override;
    std::vector<WeightSpec> weight_specs(const Shape&) const override { return {}; }
    Tensor compute_mask(const Tensor&, const Tensor&) const override { return Tensor(); }

protected:
    Tensor call(const Tensor& x, const Tensor&, bool) const override;
};

}  // namespace tn
