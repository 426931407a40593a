// tapenet layers: Permute (Keras), the non-batch axes reordered: dims lists them from 1, e.g.
// Permute({2, 1}) turns (B, T, D) into (B, D, T). Materialised through swaps of two axes. The
// output has no mask. No weights.
#pragma once

#include "layers/layer.h"

namespace tn {

class Permute : public Layer {
public:
    explicit Permute(std::vector<int64_t> dims);
    std::string class_name() const override { return "Permute"; }
    void get_config(ConfigWriter& c) const override { c.integers("dims", dims_); }
    static std::unique_ptr<Layer> from_config(const ConfigReader& c) { return std::make_unique<Permute>(c.integers("dims")); }
    Shape output_shape(const Shape& input_shape) const override;
    std::vector<WeightSpec> weight_specs(const Shape&) const override { return {}; }
    Tensor compute_mask(const Tensor&, const Tensor&) const override { return Tensor(); }
    const std::vector<int64_t>& dims() const { return dims_; }

protected:
    Tensor call(const Tensor& x, const Tensor&, bool) const override;

private:
    std::vector<int64_t> dims_;
};

}  // namespace tn
