// tapenet layers: Dropout (Keras `Dropout`), inverted dropout.
//
//   training:  y = x * keep / (1 - rate), keep ~ Bernoulli(1 - rate) per element
//   inference: y = x
//
// The masks come from an Rng the layer owns, seeded from the layer's seed when it is built, so a
// run with the same seeds drops the same elements. No parameters; any input shape.
// Drawing a mask advances that Rng: a training forward is the one forward that writes into its
// layer (call is const, the Rng mutable), so training runs on one thread per model. Inference
// (training = false) draws nothing.
#pragma once

#include "core/rng.h"
#include "layers/layer.h"

namespace tn {

class Dropout : public Layer {
public:
    explicit Dropout(double rate);

    std::string class_name() const override { return "Dropout"; }
    void get_config(ConfigWriter& config) const override;
    static std::unique_ptr<Layer> from_config(const ConfigReader& config);
    Shape output_shape(const Shape& input_shape) const override { return input_shape; }
    std::vector<WeightSpec> weight_specs(const Shape&) const override { return {}; }

    double rate() const { return rate_; }
    Rng* random_generator() override { return &rng_; }

protected:
    void on_built(const Shape& input_shape, Rng& rng) override;
    Tensor call(const Tensor& x, const Tensor& mask, bool training) const override;

private:
    double rate_;  // kept in double so that config() writes 0.2, not 0.20000000298
    mutable Rng rng_;  // advanced by each training forward (see the top of this file)
};

}  // namespace tn
