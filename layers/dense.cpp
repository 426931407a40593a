#include "layers/dense.h"

#include "core/error.h"
#include "core/ops.h"
#include "layers/initializers.h"

namespace tn {

Dense::Dense(int64_t units, std::string activation, bool use_bias)
    : Layer("dense"),
      units_(units),
      activation_name_(std::move(activation)),
      activation_(activation_by_name(activation_name_, "dense")),
      use_bias_(use_bias) {
    if (units <= 0) value_error("dense", "units must be positive, got " + std::to_string(units));
}

Json Dense::config() const {
    return Json::object(
        {{"name", name()}, {"units", units_}, {"activation", activation_name_}, {"use_bias", use_bias_}});
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

void Dense::build_params(const Shape& input_shape, Rng& rng) {
    check_input(input_shape);
    input_dim_ = input_shape.back();
    kernel_ = add_param("kernel", glorot_uniform({input_dim_, units_}, rng));
    if (use_bias_) bias_ = add_param("bias", zeros({units_}));
}

Tensor Dense::call(const Tensor& x, const Tensor&, bool) const {
    check_input(x.shape());
    Tensor z = matmul(x, kernel_);  // (B, D) @ (D, U) or (B, T, D) @ (D, U)
    if (use_bias_) z = z + bias_;   // broadcast over the leading axes
    return activation_(z);
}

}  // namespace tn
