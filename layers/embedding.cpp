#include "layers/embedding.h"

#include <cmath>
#include <sstream>

#include "core/error.h"
#include "core/ops.h"
#include "layers/initializers.h"

namespace tn {

Embedding::Embedding(int64_t input_dim, int64_t output_dim, bool mask_zero)
    : Layer("embedding"), input_dim_(input_dim), output_dim_(output_dim), mask_zero_(mask_zero) {
    if (input_dim <= 0) value_error("embedding", "input_dim (vocabulary size) must be positive, got " +
                                                     std::to_string(input_dim));
    if (output_dim <= 0) value_error("embedding", "output_dim must be positive, got " + std::to_string(output_dim));
}

void Embedding::get_config(ConfigWriter& c) const {
    c.integer("input_dim", input_dim_);
    c.integer("output_dim", output_dim_);
    write_initializer(c, "embeddings_initializer", KerasInitializer::random_uniform);
    c.boolean("mask_zero", mask_zero_);
    // Keras' fixed sequence length, known when the layer was built for one.
    if (built() && input_shape().size() == 2 && input_shape()[1] > 0)
        c.integer("input_length", input_shape()[1]);
    else
        c.null("input_length");
}

std::unique_ptr<Layer> Embedding::from_config(const ConfigReader& c) {
    return std::make_unique<Embedding>(c.integer("input_dim"), c.integer("output_dim"), c.boolean("mask_zero", false));
}

void Embedding::check_input(const Shape& shape) const {
    if (shape.size() != 2)
        shape_error(name(), "expected indices of shape (batch, steps), got " + shape_str(shape));
}

Shape Embedding::output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    return {input_shape[0], input_shape[1], output_dim_};
}

std::vector<WeightSpec> Embedding::weight_specs(const Shape& input_shape) const {
    check_input(input_shape);
    return {{"embeddings", {input_dim_, output_dim_}, uniform_005}};
}

void Embedding::on_built(const Shape&, Rng&) { embeddings_ = weight("embeddings"); }

void Embedding::check_indices(const Tensor& x) const {
    for (int64_t i = 0; i < x.numel(); ++i) {
        const float v = x[i];
        if (v >= 0 && v < static_cast<float>(input_dim_) && std::floor(v) == v) continue;
        std::ostringstream os;
        os << "index " << v << " at [" << i / x.dim(1) << ", " << i % x.dim(1) << "] is "
           << (std::floor(v) == v ? "out of range" : "not an integer") << " for a vocabulary of size " << input_dim_
           << " (valid indices: 0 to " << input_dim_ - 1 << ")";
        value_error(name(), os.str());
    }
}

Tensor Embedding::call(const Tensor& x, const Tensor&, bool) const {
    check_input(x.shape());
    check_indices(x);
    return gather_rows(embeddings_, x);
}

Tensor Embedding::compute_mask(const Tensor& x, const Tensor&) const {
    if (!mask_zero_) return Tensor();
    Tensor mask(x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) mask[i] = x[i] != 0.0f ? 1.0f : 0.0f;
    return mask;
}

}  // namespace tn
