#include "layers/lstm.h"

#include "core/error.h"
#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/lstm_kernel.h"
#include "layers/mask.h"

namespace tn {

LSTM::LSTM(int64_t units, bool return_sequences, std::string activation, std::string recurrent_activation,
           bool use_bias, bool unit_forget_bias, bool return_state)
    : Layer("lstm"),
      units_(units),
      return_sequences_(return_sequences),
      return_state_(return_state),
      activation_name_(std::move(activation)),
      recurrent_activation_name_(std::move(recurrent_activation)),
      activation_kind_(lstm_activation_from_name(activation_name_, "lstm")),
      recurrent_activation_kind_(lstm_activation_from_name(recurrent_activation_name_, "lstm")),
      activation_(activation_by_name(activation_name_, "lstm")),
      recurrent_activation_(activation_by_name(recurrent_activation_name_, "lstm")),
      use_bias_(use_bias),
      unit_forget_bias_(unit_forget_bias) {
    if (units <= 0) value_error("lstm", "units must be positive, got " + std::to_string(units));
    // The gates stack to 4U columns: keep that product far from int64 overflow (larger sizes are
    // refused by the allocation check anyway).
    if (units > (int64_t{1} << 40)) value_error("lstm", "units must be at most 2^40, got " + std::to_string(units));
}

void LSTM::get_config(ConfigWriter& c) const {
    c.integer("units", units_);
    c.text("activation", activation_name_);
    c.text("recurrent_activation", recurrent_activation_name_);
    c.boolean("use_bias", use_bias_);
    write_initializer(c, "kernel_initializer", KerasInitializer::glorot_uniform);
    write_initializer(c, "recurrent_initializer", KerasInitializer::orthogonal);
    write_initializer(c, "bias_initializer", KerasInitializer::zeros);
    c.boolean("unit_forget_bias", unit_forget_bias_);
    c.number("dropout", 0.0);
    c.number("recurrent_dropout", 0.0);
    c.boolean("return_sequences", return_sequences_);
    c.boolean("return_state", return_state_);
    for (const char* key : {"go_backwards", "stateful", "unroll"}) c.boolean(key, false);
}

std::unique_ptr<Layer> LSTM::from_config(const ConfigReader& c) {
    for (const char* key : {"go_backwards", "stateful", "time_major"}) c.unsupported_if_true(key);
    for (const char* key : {"dropout", "recurrent_dropout"})
        if (const double rate = c.number(key, 0.0); !(rate >= 0.0 && rate < 1.0))
            c.fail("'" + std::string(key) + "' must lie in [0, 1), got " + std::to_string(rate));
    // A config without recurrent_activation reads as TensorFlow.js' default, hard_sigmoid (the
    // format is TF.js'; Keras always writes the key).
    return std::make_unique<LSTM>(c.integer("units"), c.boolean("return_sequences", false),
                                  c.text("activation", "tanh"), c.text("recurrent_activation", "hard_sigmoid"),
                                  c.boolean("use_bias", true), c.boolean("unit_forget_bias", true),
                                  c.boolean("return_state", false));
}

void LSTM::check_input(const Shape& shape) const { check_sequence_input(name(), shape, input_dim_); }

Shape LSTM::output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    if (return_sequences_) return {input_shape[0], input_shape[1], units_};
    return {input_shape[0], units_};
}

void LSTM::check_state(const Shape& state, const Shape& x, const char* which) const {
    if (state.size() != 2 || state[1] != units_ || (state[0] >= 0 && x[0] >= 0 && state[0] != x[0]))
        shape_error(name(), std::string("initial state ") + which + " must be (batch, units = " +
                                std::to_string(units_) + ") for input " + shape_str(x) + ", got " + shape_str(state));
}

std::vector<Shape> LSTM::output_shapes(const std::vector<Shape>& in) const {
    if (in.size() != 1 && in.size() != 3)
        value_error(name(), "takes {x} or {x, h0, c0} (initial_state), got " + std::to_string(in.size()) + " inputs");
    Shape y = output_shape(in[0]);
    if (in.size() == 3) {
        check_state(in[1], in[0], "h0");
        check_state(in[2], in[0], "c0");
    }
    if (!return_state_) return {y};
    const Shape state{in[0][0], units_};
    return {y, state, state};
}

Tensor LSTM::compute_mask(const Tensor&, const Tensor& mask) const {
    return return_sequences_ ? mask : Tensor();
}

std::vector<Tensor> LSTM::compute_masks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const {
    const Tensor y_mask = compute_mask(inputs.at(0), masks.empty() ? Tensor() : masks[0]);
    if (!return_state_) return {y_mask};
    return {y_mask, Tensor(), Tensor()};
}

std::vector<WeightSpec> LSTM::weight_specs(const Shape& input_shape) const {
    check_input(input_shape);
    const int64_t D = input_shape[2], U = units_;
    std::vector<WeightSpec> specs = {{"kernel", {D, 4 * U}, glorot_uniform},
                                     {"recurrent_kernel", {U, 4 * U}, orthogonal}};
    if (use_bias_) {
        const bool forget_one = unit_forget_bias_;
        specs.push_back({"bias", {4 * U}, [U, forget_one](const Shape& shape, Rng&) {
                             Tensor bias = zeros(shape);
                             if (forget_one)
                                 for (int64_t j = U; j < 2 * U; ++j) bias[j] = 1.0f;  // the f block
                             return bias;
                         }});
    }
    return specs;
}

void LSTM::on_built(const Shape& input_shape, Rng&) {
    input_dim_ = input_shape[2];
    kernel_ = weight("kernel");
    recurrent_kernel_ = weight("recurrent_kernel");
    if (use_bias_) bias_ = weight("bias");
}

Tensor LSTM::call(const Tensor& x, const Tensor& mask, bool) const { return run(x, mask).y; }

std::vector<Tensor> LSTM::call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                   bool) const {
    if (inputs.size() != 1 && inputs.size() != 3)
        value_error(name(), "takes {x} or {x, h0, c0} (initial_state), got " + std::to_string(inputs.size()) + " inputs");
    const Tensor mask = masks.empty() ? Tensor() : masks[0];
    LSTMOutputs out = inputs.size() == 3 ? run(inputs[0], mask, inputs[1], inputs[2]) : run(inputs[0], mask);
    if (!return_state_) return {std::move(out.y)};
    return {std::move(out.y), std::move(out.h), std::move(out.c)};
}

LSTMOutputs LSTM::run(const Tensor& x, const Tensor& mask, const Tensor& h0, const Tensor& c0) const {
    if (!built()) value_error(name(), "run needs a built layer (call forward or build first)");
    check_input(x.shape());
    if (mask.defined()) check_mask(name(), mask, x.dim(0), x.dim(1));
    if (h0.defined() != c0.defined()) value_error(name(), "the initial state needs both h0 and c0");
    if (h0.defined()) {
        check_state(h0.shape(), x.shape(), "h0");
        check_state(c0.shape(), x.shape(), "c0");
    }
    if (!fused_) return run_composed(x, mask, h0, c0);
    LSTMOutputs out;
    out.y = lstm_sequence(x, kernel_, recurrent_kernel_, use_bias_ ? bias_ : Tensor(), mask,
                          activation_kind_, recurrent_activation_kind_, return_sequences_, &out.h,
                          &out.c, h0, c0);
    return out;
}

LSTMOutputs LSTM::run_composed(const Tensor& x, const Tensor& mask, const Tensor& h0, const Tensor& c0) const {
    const int64_t B = x.dim(0), T = x.dim(1), D = x.dim(2), U = units_;

    // Input projection of every step in one matmul: (B*T, D) @ (D, 4U) -> (B, T, 4U).
    Tensor xz = matmul(reshape(x, {B * T, D}), kernel_);
    if (use_bias_) xz = xz + bias_;
    xz = reshape(xz, {B, T, 4 * U});

    Tensor h = h0.defined() ? h0 : Tensor::zeros({B, U});
    Tensor c = c0.defined() ? c0 : Tensor::zeros({B, U});
    std::vector<Tensor> outputs;
    for (int64_t t = 0; t < T; ++t) {
        const Tensor z = select(xz, 1, t) + matmul(h, recurrent_kernel_);  // (B, 4U)
        const Tensor i = recurrent_activation_(slice(z, 1, 0, U));
        const Tensor f = recurrent_activation_(slice(z, 1, U, 2 * U));
        const Tensor g = activation_(slice(z, 1, 2 * U, 3 * U));
        const Tensor o = recurrent_activation_(slice(z, 1, 3 * U, 4 * U));
        const Tensor c_new = f * c + i * g;
        const Tensor h_new = o * activation_(c_new);
        if (mask.defined()) {
            // keep = 1 where step t is real, 0 where padded: blend the new state with the old one.
            Tensor keep({B, 1}), hold({B, 1});
            for (int64_t b = 0; b < B; ++b) {
                keep[b] = mask[b * T + t];
                hold[b] = 1.0f - keep[b];
            }
            c = c_new * keep + c * hold;
            h = h_new * keep + h * hold;
        } else {
            c = c_new;
            h = h_new;
        }
        if (return_sequences_) outputs.push_back(h);
    }
    return {return_sequences_ ? stack(outputs, 1) : h, h, c};
}

}  // namespace tn
