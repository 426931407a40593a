#include "layers/dense.h"

#include "core/error.h"
#include "core/ops.h"
#include "layers/initializers.h"

namespace tn {

Dense::Dense(int64_t units, std::string_view activation, bool use_bias)
    : Layer("dense"), units_(units), activation_(activation_kind(activation, "dense")), use_bias_(use_bias) {
    if (units <= 0) value_error("dense", "units must be positive, got " + std::to_string(units));
}

void Dense::get_config(ConfigWriter& c) const {
    c.integer("units", units_);
    c.text("activation", activation_name(activation_));
    c.boolean("use_bias", use_bias_);
    write_initializer(c, "kernel_initializer", KerasInitializer::glorot_uniform);
    write_initializer(c, "bias_initializer", KerasInitializer::zeros);
}

std::unique_ptr<Layer> Dense::from_config(const ConfigReader& c) {
    return std::make_unique<Dense>(c.integer("units"), c.text("activation", "linear"), c.boolean("use_bias", true));
}

void Dense::check_input(const Shape& shape) const {
    if (shape.size() != 2 && shape.size() != 3)
        shape_error(name(), "expected input of shape (batch, features) or (batch, steps, features), got " +
                                shape_str(shape));
    if (input_dim_ > 0 && shape.back() != input_dim_)
        shape_error(name(), "input has " + std::to_string(shape.back()) + " features but the layer was built for " +
                                std::to_string(input_dim_) + ", got input shape " + shape_str(shape));
    if (shape.back() <= 0) shape_error(name(), "input has no features: shape " + shape_str(shape));
}

Shape Dense::output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    Shape out = input_shape;
    out.back() = units_;
    return out;
}

std::vector<WeightSpec> Dense::weight_specs(const Shape& input_shape) const {
    check_input(input_shape);
    std::vector<WeightSpec> specs = {{"kernel", {input_shape.back(), units_}, glorot_uniform}};
    if (use_bias_) specs.push_back({"bias", {units_}, zeros_initializer});
    return specs;
}

void Dense::on_built(const Shape& input_shape, Rng&) {
    input_dim_ = input_shape.back();
    kernel_ = weight("kernel");
    if (use_bias_) bias_ = weight("bias");
}

Tensor Dense::logits(const Tensor& x) const {
    if (!built()) value_error(name(), "logits() needs a built layer; call build() or forward() first");
    check_input(x.shape());
    Tensor z = matmul(x, kernel_);  // (B, D) @ (D, U) or (B, T, D) @ (D, U)
    if (use_bias_) z = z + bias_;   // broadcast over the leading axes
    return z;
}

Tensor Dense::call(const Tensor& x, const Tensor&, bool) const { return activation_fn(activation_)(logits(x)); }

}  // namespace tn
