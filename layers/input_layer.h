// tapenet layers: InputLayer, the entry of a functional graph (Keras' InputLayer).
//
// It holds the input shape (batch axis first, -1 = any size) and passes its input through. tn::Input
// (layers/graph.h) creates one; a Sequential network makes one from build()'s shape. The model
// format writes it as Keras does ({"class_name": "InputLayer", "config": {"batch_input_shape": ...}}).
#pragma once

#include "layers/layer.h"

namespace tn {

class InputLayer : public Layer {
public:
    explicit InputLayer(Shape batch_input_shape, std::string name = "input");

    std::string class_name() const override { return "InputLayer"; }
    // {batch_input_shape, sparse = false}: Keras' keys (the batch size written as null).
    void get_config(ConfigWriter& config) const override;
    Shape output_shape(const Shape& input_shape) const override;
    std::vector<WeightSpec> weight_specs(const Shape&) const override { return {}; }

    const Shape& batch_input_shape() const { return shape_; }
    // Throws a ShapeError naming the layer unless `x` has the rank and the fixed sizes of the input.
    void check(const Shape& x) const;

protected:
    Tensor call(const Tensor& x, const Tensor&, bool) const override { return x; }

private:
    Shape shape_;
};

}  // namespace tn
