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
    ActivationFn fn;
};

constexpr Named kActivations[] = {
    {"linear", linear_fn},   {"relu", relu_fn}, {"sigmoid", sigmoid_fn}, {"hard_sigmoid", hard_sigmoid_fn},
    {"tanh", tanh_fn},       {"softmax", softmax_fn},
};

}  // namespace

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
