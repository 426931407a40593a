// tapenet layers: Dot (Keras), a batched dot product of two inputs over one axis of each.
//
//   Dot({2, 2})({query, value})   (B, Tq, D) . (B, Tv, D) -> (B, Tq, Tv)   scores = query @ valueᵀ
//   Dot({2, 1})({alpha, value})   (B, Tq, Tv) . (B, Tv, D) -> (B, Tq, D)   context = alpha @ value
//   Dot(1)({a, b})                (B, D) . (B, D) -> (B, 1)
// Inputs of rank 3 (axes 1 or 2 each) or rank 2 (axes 1). normalize (cosine) is not implemented.
// No weights.
//
// Masks (a tapenet extension: Keras' and TF.js' Dot pass no mask on): for inputs of rank 3, the
// time axis (1) of each input that is not summed over keeps its mask in the output, so that a
// padded encoder step reaches the Softmax that follows (layers/softmax.h) and gets weight 0:
//   Dot({2, 2})({query, value})  mask (B, Tq, Tv) = query_mask[b, q] * value_mask[b, v] (a missing
//                                mask counts as ones); only the query's: (B, Tq); neither: none
//   Dot({2, 1})({alpha, value})  value's time axis is summed: the output keeps alpha's time mask
//                                (B, Tq) (a full-shape mask of alpha is reduced: a step is real if
//                                any of its entries is)
// Inputs of rank 2 give no mask.
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
    std::vector<Tensor> compute_masks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const override;
    const std::vector<int64_t>& axes() const { return axes_; }

protected:
    std::vector<Tensor> call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                 bool training) const override;

private:
    std::vector<int64_t> axes_;  // {axis of inputs[0], axis of inputs[1]}, counting the batch
};

}  // namespace tn
