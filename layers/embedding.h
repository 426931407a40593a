// tapenet layers: Embedding, a lookup table of vectors (Keras `Embedding`).
//
//   y[b, t, :] = embeddings[indices[b, t], :]
//   indices (B, T): a float tensor holding integers in [0, input_dim)  ->  y (B, T, output_dim)
//   embeddings (input_dim, output_dim)  uniform(-0.05, 0.05)
//
// The gradient flows into the rows that were looked up (a repeated index accumulates); the indices
// get none. With mask_zero, index 0 means "padding": compute_mask returns a (B, T) mask of
// 1 where the index is not 0, for the LSTM and Attention layers that follow.
#pragma once

#include "layers/layer.h"

namespace tn {

class Embedding : public Layer {
public:
    Embedding(int64_t input_dim, int64_t output_dim, bool mask_zero = false);

    std::string class_name() const override { return "Embedding"; }
    void get_config(ConfigWriter& config) const override;
    static std::unique_ptr<Layer> from_config(const ConfigReader& config);
    Shape output_shape(const Shape& input_shape) const override;
    std::vector<WeightSpec> weight_specs(const Shape& input_shape) const override;
    Tensor compute_mask(const Tensor& x, const Tensor& mask) const override;

    int64_t input_dim() const { return input_dim_; }
    int64_t output_dim() const { return output_dim_; }
    bool mask_zero() const { return mask_zero_; }

protected:
    void on_built(const Shape& input_shape, Rng& rng) override;
    Tensor call(const Tensor& x, const Tensor& mask, bool training) const override;

private:
    void check_input(const Shape& shape) const;
    void check_indices(const Tensor& x) const;

    int64_t input_dim_;   // vocabulary size V
    int64_t output_dim_;  // vector size
    bool mask_zero_;
    Tensor embeddings_;   // (V, output_dim), handle onto params()
};

}  // namespace tn
