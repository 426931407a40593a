#include "layers/layer.h"

#include <algorithm>

#include "core/error.h"
#include "core/rng.h"

namespace tn {

Tensor Layer::forward(const Tensor& x, bool training) { return forward(x, Tensor(), training); }

Tensor Layer::forward(const Tensor& x, const Tensor& mask, bool training) {
    if (!x.defined()) value_error(name_, "input tensor is undefined");
    build(x.shape());
    return call(x, mask, training);
}

std::vector<Tensor> Layer::forward_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                       bool training) {
    if (inputs.empty()) value_error(name_, "got no inputs");
    for (const Tensor& x : inputs)
        if (!x.defined()) value_error(name_, "an input tensor is undefined");
    if (masks.size() > inputs.size())
        value_error(name_, "got " + std::to_string(masks.size()) + " masks for " + std::to_string(inputs.size()) +
                               " inputs");
    build(inputs[0].shape());
    if (masks.size() == inputs.size()) return call_all(inputs, masks, training);
    std::vector<Tensor> padded = masks;
    padded.resize(inputs.size());
    return call_all(inputs, padded, training);
}

std::vector<std::string> Layer::weight_aliases(std::string_view) const { return {}; }

Tensor Layer::call(const Tensor&, const Tensor&, bool) const {
    value_error(name_, "takes a list of inputs: use forward_all({a, b, ...}, masks, training)");
}

std::vector<Tensor> Layer::call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                    bool training) const {
    check_input_count(inputs.size(), 1, 1);
    return {call(inputs[0], masks.empty() ? Tensor() : masks[0], training)};
}

void Layer::check_input_count(size_t count, size_t min, size_t max) const {
    if (count >= min && count <= max) return;
    const std::string want = min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max);
    value_error(name_, "takes " + want + " input" + (max == 1 ? "" : "s") + ", got " + std::to_string(count));
}

Shape Layer::output_shape(const Shape&) const {
    value_error(name_, "takes a list of inputs: use output_shapes({a, b, ...})");
}

std::vector<Shape> Layer::output_shapes(const std::vector<Shape>& input_shapes) const {
    check_input_count(input_shapes.size(), 1, 1);
    return {output_shape(input_shapes[0])};
}

std::vector<Tensor> Layer::compute_masks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const {
    if (inputs.empty()) return {};
    return {compute_mask(inputs[0], masks.empty() ? Tensor() : masks[0])};
}

Tensor Layer::compute_mask(const Tensor&, const Tensor& mask) const { return mask; }

void Layer::build(const Shape& input_shape) {
    if (built_.load(std::memory_order_acquire)) return;
    std::lock_guard lock(build_mutex_);
    if (built_.load(std::memory_order_relaxed)) return;  // another thread built it meanwhile
    Rng rng(seed_);
    std::vector<Param> params;  // all or nothing: a failure leaves the layer unbuilt
    for (const WeightSpec& spec : weight_specs(input_shape)) {
        Tensor value = spec.initializer(spec.shape, rng);
        value.requires_grad(true);
        params.push_back({spec.name, value});
    }
    params_ = std::move(params);
    on_built(input_shape, rng);
    input_shape_ = input_shape;
    built_.store(true, std::memory_order_release);
}

void Layer::on_built(const Shape&, Rng&) {}

const Tensor& Layer::weight(std::string_view name) const {
    for (const Param& p : params_)
        if (p.name == name) return p.value;
    value_error(name_, "has no weight '" + std::string(name) + "'" + (built_ ? "" : " (it is not built yet)"));
}

double Layer::count_weights_for(const Shape& input_shape) const {
    double n = 0;
    for (const WeightSpec& spec : weight_specs(input_shape)) {
        double size = 1;
        for (int64_t d : spec.shape) size *= static_cast<double>(d);
        n += size;
    }
    return n;
}

int64_t Layer::count_params() const {
    int64_t n = 0;
    for (const auto& p : params_) n += p.value.numel();
    return n;
}

void Layer::set_weights(const std::vector<Tensor>& values) {
    if (values.size() != params_.size())
        value_error(name_, "set_weights got " + std::to_string(values.size()) + " tensors for " +
                               std::to_string(params_.size()) + " parameters");
    for (size_t i = 0; i < values.size(); ++i) {
        Tensor& p = params_[i].value;
        if (values[i].shape() != p.shape())
            shape_error(name_, "weight '" + params_[i].name + "' has shape " + shape_str(p.shape()) +
                                   ", got " + shape_str(values[i].shape()));
        std::copy(values[i].data(), values[i].data() + p.numel(), p.data());
    }
}

}  // namespace tn
