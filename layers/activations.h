// tapenet layers: activations by their Keras names.
//
//   linear        x
//   relu          max(x, 0)
//   sigmoid       1 / (1 + exp(-x))
//   hard_sigmoid  clip(0.2 x + 0.5, 0, 1)   (Keras 2's definition)
//   tanh          tanh(x)
//   softmax       softmax over the last axis
//
// Each is the op of core/ops.h, so its gradient comes with it. An unknown name throws a
// tn::ValueError that lists the valid names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"

namespace tn {

using ActivationFn = Tensor (*)(const Tensor&);

// The activations by name, as a layer stores its choice. (Not called `Activation`: that is the
// name of Keras' Activation layer.)
enum class ActivationKind { linear, relu, sigmoid, hard_sigmoid, tanh, softmax };

// The activation called `name`; an unknown name throws a ValueError that starts with `context`
// (e.g. "dense") and lists the valid names.
ActivationKind activation_kind(std::string_view name, const std::string& context = "activation");
const char* activation_name(ActivationKind kind);
ActivationFn activation_fn(ActivationKind kind);

ActivationFn activation_by_name(const std::string& name, const std::string& context = "activation");
const std::vector<std::string>& activation_names();

}  // namespace tn
