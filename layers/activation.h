// tapenet layers: Activation (Keras), an activation applied element by element (softmax: over the
// last axis). Passes its input's mask on. No weights.
//
//   auto alpha = tn::layer<tn::Activation>("softmax")(scores);
#pragma once

#include "layers/activations.h"
#include "layers/layer.h"

namespace tn {

class Activation : public Layer {
public:
    explicit Activation(const std::string& activation);
    std::string class_name() const override { return "Activation"; }
    void get_config(ConfigWriter& c) const override { c.text("activation", activation_name(kind_)); }
    static std::unique_ptr<Layer> from_config(const ConfigReader& c) {
        return std::make_unique<Activation>(c.text("activation"));
    }
    Shape output_shape(const Shape& input_shape) const override { return input_shape; }
    std::vector<WeightSpec> weight_specs(const Shape&) const override { return {}; }
    ActivationKind activation() const { return kind_; }

protected:
    Tensor call(const Tensor& x, const Tensor&, bool) const override { return fn_(x); }

private:
    ActivationKind kind_;
    ActivationFn fn_;
};

}  // namespace tn
