#include "layers/gru.h"

#include "core/error.h"
#include "core/ops.h"
#include "layers/gru_kernel.h"
#include "layers/initializers.h"
#include "layers/mask.h"

namespace tn {

GRU::GRU(int64_t units, bool return_sequences, std::string activation, std::string recurrent_activation,
         bool use_bias, bool reset_after, bool return_state)
    : Layer("gru"),
      units_(units),
      return_sequences_(return_sequences),
      return_state_(return_state),
      reset_after_(reset_after),
      use_bias_(use_bias),
      activation_name_(std::move(activation)),
      recurrent_activation_name_(std::move(recurrent_activation)),
      activation_kind_(lstm_activation_from_name(activation_name_, "gru", "a GRU")),
      recurrent_activation_kind_(lstm_activation_from_name(recurrent_activation_name_, "gru", "a GRU")),
      activation_(activation_by_name(activation_name_, "gru")),
      recurrent_activation_(activation_by_name(recurrent_activation_name_, "gru")) {
    if (units <= 0) value_error("gru", "units must be positive, got " + std::to_string(units));
    if (units > (int64_t{1} << 40)) value_error("gru", "units must be at most 2^40, got " + std::to_string(units));
}

void GRU::get_config(ConfigWriter& c) const {
    c.integer("units", units_);
    c.text("activation", activation_name_);
    c.text("recurrent_activation", recurrent_activation_name_);
    c.boolean("use_bias", use_bias_);
    write_initializer(c, "kernel_initializer", KerasInitializer::glorot_uniform);
    write_initializer(c, "recurrent_initializer", KerasInitializer::orthogonal);
    write_initializer(c, "bias_initializer", KerasInitializer::zeros);
    c.number("dropout", 0.0);
    c.number("recurrent_dropout", 0.0);
    c.boolean("return_sequences", return_sequences_);
    c.boolean("return_state", return_state_);
    for (const char* key : {"go_backwards", "stateful", "unroll"}) c.boolean(key, false);
    c.boolean("reset_after", reset_after_);
}

std::unique_ptr<Layer> GRU::from_config(const ConfigReader& c) {
    for (const char* key : {"go_backwards", "stateful", "time_major"}) c.unsupported_if_true(key);
    for (const char* key : {"dropout", "recurrent_dropout"})
        if (const double rate = c.number(key, 0.0); !(rate >= 0.0 && rate < 1.0))
            c.fail("'" + std::string(key) + "' must lie in [0, 1), got " + std::to_string(rate));
    // Missing keys read as TensorFlow.js' defaults (the format is TF.js'; Keras writes every key).
    return std::make_unique<GRU>(c.integer("units"), c.boolean("return_sequences", false), c.text("activation", "tanh"),
                                 c.text("recurrent_activation", "hard_sigmoid"), c.boolean("use_bias", true),
                                 c.boolean("reset_after", false), c.boolean("return_state", false));
}

void GRU::check_input(const Shape& shape) const { check_sequence_input(name(), shape, input_dim_); }

Shape GRU::output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    if (return_sequences_) return {input_shape[0], input_shape[1], units_};
    return {input_shape[0], units_};
}

void GRU::check_state(const Shape& state, const Shape& x) const {
    if (state.size() != 2 || state[1] != units_ || (state[0] >= 0 && x[0] >= 0 && state[0] != x[0]))
        shape_error(name(), "initial state h0 must be (batch, units = " + std::to_string(units_) + ") for input " +
                                shape_str(x) + ", got " + shape_str(state));
}

std::vector<Shape> GRU::output_shapes(const std::vector<Shape>& in) const {
    if (in.size() != 1 && in.size() != 2)
        value_error(name(), "takes {x} or {x, h0} (initial_state), got " + std::to_string(in.size()) + " inputs");
    Shape y = output_shape(in[0]);
    if (in.size() == 2) check_state(in[1], in[0]);
    if (!return_state_) return {y};
    return {y, Shape{in[0][0], units_}};
}

Tensor GRU::compute_mask(const Tensor&, const Tensor& mask) const { return return_sequences_ ? mask : Tensor(); }

std::vector<Tensor> GRU::compute_masks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const {
    const Tensor y_mask = compute_mask(inputs.at(0), masks.empty() ? Tensor() : masks[0]);
    if (!return_state_) return {y_mask};
    return {y_mask, Tensor()};
}

std::vector<WeightSpec> GRU::weight_specs(const Shape& input_shape) const {
    check_input(input_shape);
    const int64_t D = input_shape[2], U = units_;
    std::vector<WeightSpec> specs = {{"kernel", {D, 3 * U}, glorot_uniform},
                                     {"recurrent_kernel", {U, 3 * U}, orthogonal}};
    if (use_bias_) specs.push_back({"bias", reset_after_ ? Shape{2, 3 * U} : Shape{3 * U}, zeros_initializer});
    return specs;
}

void GRU::on_built(const Shape& input_shape, Rng&) {
    input_dim_ = input_shape[2];
    kernel_ = weight("kernel");
    recurrent_kernel_ = weight("recurrent_kernel");
    if (use_bias_) bias_ = weight("bias");
}

Tensor GRU::call(const Tensor& x, const Tensor& mask, bool) const { return run(x, mask).y; }

std::vector<Tensor> GRU::call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks, bool) const {
    if (inputs.size() != 1 && inputs.size() != 2)
        value_error(name(), "takes {x} or {x, h0} (initial_state), got " + std::to_string(inputs.size()) + " inputs");
    GRUOutputs out = run(inputs[0], masks.empty() ? Tensor() : masks[0], inputs.size() == 2 ? inputs[1] : Tensor());
    if (!return_state_) return {std::move(out.y)};
    return {std::move(out.y), std::move(out.h)};
}

GRUOutputs GRU::run(const Tensor& x, const Tensor& mask, const Tensor& h0) const {
    if (!built()) value_error(name(), "run needs a built layer (call forward or build first)");
    check_input(x.shape());
    if (mask.defined()) check_mask(name(), mask, x.dim(0), x.dim(1));
    if (h0.defined()) check_state(h0.shape(), x.shape());
    if (!fused_) return run_composed(x, mask, h0);
    GRUOutputs out;
    out.y = gru_sequence(x, kernel_, recurrent_kernel_, use_bias_ ? bias_ : Tensor(), mask, h0, reset_after_,
                         activation_kind_, recurrent_activation_kind_, return_sequences_, &out.h);
    return out;
}

GRUOutputs GRU::run_composed(const Tensor& x, const Tensor& mask, const Tensor& h0) const {
    const int64_t B = x.dim(0), T = x.dim(1), D = x.dim(2), U = units_;
    // Input projection of every step in one matmul: (B*T, D) @ (D, 3U) -> (B, T, 3U).
    Tensor xz = matmul(reshape(x, {B * T, D}), kernel_);
    Tensor b_rec;  // reset_after's recurrent bias (3U)
    if (use_bias_) {
        xz = xz + (reset_after_ ? select(bias_, 0, 0) : bias_);
        if (reset_after_) b_rec = select(bias_, 0, 1);
    }
    xz = reshape(xz, {B, T, 3 * U});
    const Tensor rk_zr = slice(recurrent_kernel_, 1, 0, 2 * U), rk_h = slice(recurrent_kernel_, 1, 2 * U, 3 * U);

    Tensor h = h0.defined() ? h0 : Tensor::zeros({B, U});
    std::vector<Tensor> outputs;
    for (int64_t t = 0; t < T; ++t) {
        const Tensor xt = select(xz, 1, t);  // (B, 3U)
        Tensor hr = reset_after_ ? matmul(h, recurrent_kernel_) : matmul(h, rk_zr);
        if (b_rec.defined()) hr = hr + b_rec;
        const Tensor z = recurrent_activation_(slice(xt, 1, 0, U) + slice(hr, 1, 0, U));
        const Tensor r = recurrent_activation_(slice(xt, 1, U, 2 * U) + slice(hr, 1, U, 2 * U));
        const Tensor hh = reset_after_ ? activation_(slice(xt, 1, 2 * U, 3 * U) + r * slice(hr, 1, 2 * U, 3 * U))
                                       : activation_(slice(xt, 1, 2 * U, 3 * U) + matmul(r * h, rk_h));
        const Tensor h_new = z * h + (1.0f - z) * hh;
        if (mask.defined()) {  // keep = 1 where step t is real, 0 where padded
            Tensor keep({B, 1}), hold({B, 1});
            for (int64_t b = 0; b < B; ++b) {
                keep[b] = mask[b * T + t];
                hold[b] = 1.0f - keep[b];
            }
            h = h_new * keep + h * hold;
        } else {
            h = h_new;
        }
        if (return_sequences_) outputs.push_back(h);
    }
    return {return_sequences_ ? stack(outputs, 1) : h, h};
}

}  // namespace tn
