// tapenet layers: Softmax (Keras `layers.Softmax`), a softmax over one axis that honours a mask.
//
//   auto scores = tn::layer<tn::Dot>(std::vector<int64_t>{2, 2})({query, value});   // (B, Tq, Tv)
//   auto alpha = tn::layer<tn::Softmax>()(scores);   // padded value steps get weight exactly 0
//
// With a mask of the input's full shape (what Dot passes on for attention scores, layers/dot.h),
// masked entries get -1e9 added before the softmax, as Keras and TF.js do
// (x + (1 - mask) * -1e9), so their weight underflows to exactly 0; a row whose entries are all
// masked comes out uniform. A mask of another shape (a (B, T) sequence mask) shifts whole rows and
// changes nothing, so it is not applied. The mask is passed on unchanged. No weights.
//
// Activation("softmax") is the same softmax without the mask (as in Keras and TF.js, where the
// Activation layer ignores masks).
#pragma once

#include "layers/layer.h"

namespace tn {

class Softmax : public Layer {
public:
    explicit Softmax(int64_t axis = -1);
    std::string class_name() const override { return "Softmax"; }
    void get_config(ConfigWriter& c) const override { c.integer("axis", axis_); }
    // A config without "axis" reads as TensorFlow.js' default, 1 (Keras always writes the key).
    static std::unique_ptr<Layer> from_config(const ConfigReader& c) {
        return std::make_unique<Softmax>(c.integer("axis", 1));
    }
    Shape output_shape(const Shape& input_shape) const override;
    std::vector<WeightSpec> weight_specs(const Shape&) const override { return {}; }
    int64_t axis() const { return axis_; }

protected:
    Tensor call(const Tensor& x, const Tensor& mask, bool training) const override;

private:
    int64_t axis_;
};

}  // namespace tn
