// tapenet layers: Dot (Keras), a batched dot product of two inputs over one axis of each.
//
//   Dot({2, 2})({query, value})   (B, Tq, D) . (B, Tv, D) -> (B, Tq, Tv)   scores = query @ valueᵀ
//   Dot({2, 1})({alpha, value})   (B, Tq, Tv) . (B, Tv, D) -> (B, Tq, D)   context = alpha @ value
//   Dot(1)({a, b})                (B, D) . (B, D) -> (B, 1)
// Inputs of rank 3 (axes 1 or 2 each) or rank 2 (axes 1). normalize (cosine) is not implemented.
// The output has no mask (as Keras). No weights.
#pragma once

#include "layers/layer.h"

namespace tn {

class Dot : public Layer {
public:
    explicit Dot(std::vector<int64_t> axes, bool normalize = false);
    explicit Dot(int64_t axis) : Dot(std::vector<int64_t>{axis, axis}) {}
    std::string class_name() const override { return "Dot"; }
    void get_config(ConfigWriter& c) const override;
    static std::unique_ptr<Layer> from_config(const ConfigReader& c);
    std::vector<Shape> output_shapes(const std::vector<Shape>& input_shapes) const override;
    std::vector<WeightSpec> weight_specs(const Shape&) const override { return {}; }
    std::vector<Tensor> compute_masks(const std::vector<Tensor>&, const std::vector<Tensor>&) const override { return {}; }
    const std::vector<int64_t>& axes() const { return axes_; }

protected:
    std::vector<Tensor> call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                 bool training) const override;

private:
    std::vector<int64_t> axes_;  // {axis of inputs[0], axis of inputs[1]}, counting the batch
};

}  // namespace tn
