#include "layers/bidirectional.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "core/error.h"
#include "core/ops.h"
#include "core/tape.h"
#include "layers/gru.h"
#include "layers/lstm.h"
#include "layers/registry.h"

namespace tn {

namespace bidirectional_detail {

constexpr const char* kMergeModes[] = {"concat", "sum", "ave", "mul", "none"};

// A new layer with the same config as an LSTM or GRU (the backward copy).
std::unique_ptr<Layer> same_config(const Layer& layer) {
    if (const auto* l = dynamic_cast<const LSTM*>(&layer))
        return std::make_unique<LSTM>(l->units(), l->return_sequences(), l->activation(), l->recurrent_activation(),
                                      l->use_bias(), l->unit_forget_bias(), l->return_state());
    if (const auto* g = dynamic_cast<const GRU*>(&layer))
        return std::make_unique<GRU>(g->units(), g->return_sequences(), g->activation(), g->recurrent_activation(),
                                     g->use_bias(), g->reset_after(), g->return_state());
    value_error("bidirectional", "wraps an LSTM or a GRU, got a " + layer.class_name());
}

void set_fused(Layer& layer, bool on) {
    if (auto* l = dynamic_cast<LSTM*>(&layer)) l->set_fused(on);
    if (auto* g = dynamic_cast<GRU*>(&layer)) g->set_fused(on);
}

}  // namespace bidirectional_detail

Tensor reverse_steps(const Tensor& x) {
    if (!x.defined() || x.ndim() < 2) shape_error("reverse_steps", "needs (batch, steps, ...), got " +
                                                                       (x.defined() ? shape_str(x.shape()) : "undefined"));
    const int64_t B = x.dim(0), T = x.dim(1), F = x.numel() / std::max<int64_t>(B * T, 1);
    // y[b, t] = x[b, T-1-t]; the same map sends dy back to dx.
    const auto reverse = [B, T, F](const float* from, float* to, bool add) {
        for (int64_t b = 0; b < B; ++b)
            for (int64_t t = 0; t < T; ++t) {
                const float* src = from + (b * T + (T - 1 - t)) * F;
                float* dst = to + (b * T + t) * F;
                if (add) {
                    for (int64_t f = 0; f < F; ++f) dst[f] += src[f];
                } else {
                    std::memcpy(dst, src, static_cast<size_t>(F) * sizeof(float));
                }
            }
    };
    Tensor y = Tensor::empty(x.shape());
    reverse(x.data(), y.data(), false);
    if (tape::wants_grad({&x})) {
        y.attach_grad();
        tape::record("reverse_steps", [reverse, n = x.numel(), gx = x.grad_slot(), gy = y.grad_slot()] {
            if (gy->has()) reverse(gy->g.data(), gx->acc(n), true);
        });
    }
    return y;
}

Bidirectional::Bidirectional(std::unique_ptr<Layer> layer, std::string merge_mode)
    : Layer("bidirectional"), merge_mode_(std::move(merge_mode)) {
    using namespace bidirectional_detail;
    if (!layer) value_error("bidirectional", "needs a layer to wrap");
    if (std::find(std::begin(kMergeModes), std::end(kMergeModes), merge_mode_) == std::end(kMergeModes))
        value_error("bidirectional", "merge_mode '" + merge_mode_ + "' is not one of concat, sum, ave, mul, none");
    backward_ = same_config(*layer);
    inner_name_ = layer->name();
    forward_ = std::move(layer);
    forward_->set_name("forward_" + inner_name_);
    backward_->set_name("backward_" + inner_name_);
}

void Bidirectional::set_fused(bool on) {
    bidirectional_detail::set_fused(*forward_, on);
    bidirectional_detail::set_fused(*backward_, on);
}

void Bidirectional::get_config(ConfigWriter& c) const {
    c.object("layer", [&](ConfigWriter& layer) {
        layer.text("class_name", forward_->class_name());
        layer.object("config", [&](ConfigWriter& config) {
            config.text("name", inner_name_);
            config.boolean("trainable", true);
            config.text("dtype", "float32");
            forward_->get_config(config);
        });
    });
    if (merge_mode_ == "none") c.null("merge_mode");
    else c.text("merge_mode", merge_mode_);
}

std::unique_ptr<Layer> Bidirectional::from_config(const ConfigReader& c) {
    if (c.has("backward_layer")) c.fail("'backward_layer' is not supported by tapenet (the backward copy has the layer's config)");
    const std::unique_ptr<ConfigReader> layer = c.object("layer");
    const std::string cls = layer->text("class_name");
    if (cls != "LSTM" && cls != "GRU") layer->fail("wraps a " + cls + "; tapenet's Bidirectional wraps an LSTM or a GRU");
    std::unique_ptr<Layer> inner = layer_from_config(cls, *layer->object("config"));
    return std::make_unique<Bidirectional>(std::move(inner), c.is_null("merge_mode") ? "none" : c.text("merge_mode", "concat"));
}

bool Bidirectional::return_sequences() const {
    if (const auto* l = dynamic_cast<const LSTM*>(forward_.get())) return l->return_sequences();
    return dynamic_cast<const GRU&>(*forward_).return_sequences();
}

size_t Bidirectional::state_count() const {
    if (const auto* l = dynamic_cast<const LSTM*>(forward_.get())) return l->return_state() ? 2 : 0;
    return dynamic_cast<const GRU&>(*forward_).return_state() ? 1 : 0;
}

std::vector<Shape> Bidirectional::output_shapes(const std::vector<Shape>& in) const {
    check_input_count(in.size(), 1, 1);
    const std::vector<Shape> inner = forward_->output_shapes({in[0]});
    Shape y = inner[0];
    if (merge_mode_ == "concat") y.back() *= 2;
    std::vector<Shape> out = {y};
    if (merge_mode_ == "none") out.push_back(y);
    for (int direction = 0; direction < 2; ++direction) out.insert(out.end(), inner.begin() + 1, inner.end());
    return out;
}

Shape Bidirectional::output_shape(const Shape& input_shape) const { return output_shapes({input_shape})[0]; }

std::vector<Tensor> Bidirectional::compute_masks(const std::vector<Tensor>&, const std::vector<Tensor>& masks) const {
    const Tensor y_mask = return_sequences() && !masks.empty() ? masks[0] : Tensor();
    std::vector<Tensor> out(merge_mode_ == "none" ? 2 : 1, y_mask);
    out.resize(out.size() + 2 * state_count());
    return out;
}

Tensor Bidirectional::compute_mask(const Tensor& x, const Tensor& mask) const { return compute_masks({x}, {mask})[0]; }

std::vector<WeightSpec> Bidirectional::weight_specs(const Shape& input_shape) const {
    std::vector<WeightSpec> specs;
    for (const Layer* layer : {forward_.get(), backward_.get()})
        for (WeightSpec spec : layer->weight_specs(input_shape)) {
            spec.name = layer->name() + "/" + spec.name;
            specs.push_back(std::move(spec));
        }
    return specs;
}

// The two copies are built, take the initial values drawn for this layer, and from then on this
// layer's parameters ARE theirs (the same tensors), so an optimizer updates what they compute with.
void Bidirectional::on_built(const Shape& input_shape, Rng&) {
    forward_->build(input_shape);
    backward_->build(input_shape);
    const size_t nf = forward_->params().size();
    std::vector<Tensor> f, b;
    for (size_t i = 0; i < params().size(); ++i) (i < nf ? f : b).push_back(params()[i].value);
    forward_->set_weights(f);
    backward_->set_weights(b);
    for (size_t i = 0; i < params().size(); ++i)
        params()[i].value = i < nf ? forward_->params()[i].value : backward_->params()[i - nf].value;
}

Tensor Bidirectional::merge(const Tensor& y_f, const Tensor& y_b) const {
    if (merge_mode_ == "concat") return concat({y_f, y_b}, -1);
    if (merge_mode_ == "sum") return y_f + y_b;
    if (merge_mode_ == "ave") return (y_f + y_b) * 0.5f;
    return y_f * y_b;  // mul
}

std::vector<Tensor> Bidirectional::call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                            bool training) const {
    check_input_count(inputs.size(), 1, 1);
    const Tensor& x = inputs[0];
    const Tensor mask = masks.empty() ? Tensor() : masks[0];
    const std::vector<Tensor> f = forward_->forward_all({x}, {mask}, training);
    const std::vector<Tensor> b =
        backward_->forward_all({reverse_steps(x)}, {mask.defined() ? reverse_steps(mask) : Tensor()}, training);
    const Tensor y_b = return_sequences() ? reverse_steps(b[0]) : b[0];  // step t of both halves is input step t
    std::vector<Tensor> out;
    if (merge_mode_ == "none") out = {f[0], y_b};
    else out = {merge(f[0], y_b)};
    out.insert(out.end(), f.begin() + 1, f.end());
    out.insert(out.end(), b.begin() + 1, b.end());
    return out;
}

Tensor Bidirectional::call(const Tensor& x, const Tensor& mask, bool training) const {
    return call_all({x}, {mask}, training)[0];
}

}  // namespace tn
