// tapenet layers: Concatenate (Keras), the inputs joined along `axis` (default -1, the features).
//
//   auto y = tn::layer<tn::Concatenate>()({context, query});   // (B, T, D1) ++ (B, T, D2) -> (B, T, D1 + D2)
//
// The other axes must agree. The axis counts the batch (axis 0 is refused). Masks: the product of
// the defined input masks (as Merge). No weights.
#pragma once

#include "layers/layer.h"

namespace tn {

class Concatenate : public Layer {
public:
    explicit Concatenate(int64_t axis = -1) : Layer("concatenate"), axis_(axis) {}
    std::string class_name() const override { return "Concatenate"; }
    void get_config(ConfigWriter& c) const override { c.integer("axis", axis_); }
    static std::unique_ptr<Layer> from_config(const ConfigReader& c);
    std::vector<Shape> output_shapes(const std::vector<Shape>& input_shapes) const override;
    std::vector<WeightSpec> weight_specs(const Shape&) const override { return {}; }
    std::vector<Tensor> compute_masks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const override;
    int64_t axis() const { return axis_; }

protected:
    std::vector<Tensor> call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                 bool training) const override;

private:
    int64_t axis_;
};

}  // namespace tn
