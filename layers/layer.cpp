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

std::vector<Tensor> Layer::forward_all(const Tensor& x, const Tensor& mask, bool training) {
    if (!x.defined()) value_error(name_, "input tensor is undefined");
    build(x.shape());
    return call_all(x, mask, training);
}

std::vector<Tensor> Layer::call_all(const Tensor& x, const Tensor& mask, bool training) const {
    return {call(x, mask, training)};
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
