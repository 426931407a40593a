#include "layers/activations.h"

#include "core/error.h"
#include "core/ops.h"

namespace tn {

namespace {

Tensor linear_fn(const Tensor& x) { return x; }
Tensor relu_fn(const Tensor& x) { return relu(x); }
Tensor sigmoid_fn(const Tensor& x) { return sigmoid(x); }
Tensor hard_sigmoid_fn(const Tensor& x) { return hard_sigmoid(x); }
Tensor tanh_fn(const Tensor& x) { return tanh(x); }
Tensor softmax_fn(const Tensor& x) { return softmax(x, -1); }

struct Named {
    const char* name;
    ActivationKind kind;
    ActivationFn fn;
};

constexpr Named kActivations[] = {
    {"linear", ActivationKind::linear, linear_fn},
    {"relu", ActivationKind::relu, relu_fn},
    {"sigmoid", ActivationKind::sigmoid, sigmoid_fn},
    {"hard_sigmoid", ActivationKind::hard_sigmoid, hard_sigmoid_fn},
    {"tanh", ActivationKind::tanh, tanh_fn},
    {"softmax", ActivationKind::softmax, softmax_fn},
};

const Named& named(ActivationKind kind) {
    for (const auto& a : kActivations)
        if (a.kind == kind) return a;
    value_error("activation", "invalid activation kind " + std::to_string(static_cast<int>(kind)));
}

}  // namespace

ActivationKind activation_kind(std::string_view name, const std::string& context) {
    for (const auto& a : kActivations)
        if (name == a.name) return a.kind;
    activation_by_name(std::string(name), context);  // throws, listing the valid names
    return ActivationKind::linear;
}

const char* activation_name(ActivationKind kind) { return named(kind).name; }

ActivationFn activation_fn(ActivationKind kind) { return named(kind).fn; }

const std::vector<std::string>& activation_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& a : kActivations) v.push_back(a.name);
        return v;
    }();
    return names;
}

ActivationFn activation_by_name(const std::string& name, const std::string& context) {
    for (const auto& a : kActivations)
        if (name == a.name) return a.fn;
    std::string valid;
    for (const auto& a : kActivations) valid += std::string(valid.empty() ? "" : ", ") + a.name;
    value_error(context, "unknown activation '" + name + "'; valid activations are: " + valid);
}

}  // namespace tn
