// tapenet layers: Merge, the base of the layers that combine several inputs of one shape element by
// element (Keras' _Merge): Add, Subtract, Multiply, Average, each in its own file.
//
//   auto y = tn::layer<tn::Add>()({a, b});          // (B, ...) + (B, ...) -> (B, ...)
//
// Every input must have the same shape (no broadcasting). Masks: the output mask is the product
// (logical and) of the inputs' masks that are defined, or undefined if none is. No weights.
#pragma once

#include "layers/layer.h"

namespace tn {

class Merge : public Layer {
public:
    using Layer::Layer;
    void get_config(ConfigWriter&) const override {}
    std::vector<Shape> output_shapes(const std::vector<Shape>& input_shapes) const override;
    std::vector<WeightSpec> weight_specs(const Shape&) const override { return {}; }
    std::vector<Tensor> compute_masks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const override;

protected:
    std::vector<Tensor> call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                 bool training) const override;
    // The subclass' operation on all inputs (already checked).
    virtual Tensor merge(const std::vector<Tensor>& inputs) const = 0;
    // How many inputs the subclass takes (Subtract: exactly 2).
    virtual size_t min_inputs() const { return 2; }
    virtual size_t max_inputs() const { return 64; }
};

// The product of the defined masks (each (B, T)), or an undefined tensor if none is defined.
Tensor merge_masks(const std::vector<Tensor>& masks);

}  // namespace tn
