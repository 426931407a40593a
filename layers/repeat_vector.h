// tapenet layers: RepeatVector (Keras), (B, D) -> (B, n, D): the input repeated n times along a new
// time axis. The output has no mask. No weights.
#pragma once

#include "layers/layer.h"

namespace tn {

class RepeatVector : public Layer {
public:
    explicit RepeatVector(int64_t n);
    std::string class_name() const override { return "RepeatVector"; }
    void get_config(ConfigWriter& c) const override { c.integer("n", n_); }
    static std::unique_ptr<Layer> from_config(const ConfigReader& c) { return std::make_unique<RepeatVector>(c.integer("n")); }
    Shape output_shape(const Shape& input_shape) const override;
    std::vector<WeightSpec> weight_specs(const Shape&) const override { return {}; }
    Tensor compute_mask(const Tensor&, const Tensor&) const override { return Tensor(); }
    int64_t n() const { return n_; }

protected:
    Tensor call(const Tensor& x, const Tensor&, bool) const override;

private:
    int64_t n_;
};

}  // namespace tn
