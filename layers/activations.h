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
#include <vector>

#include "core/tensor.h"

namespace tn {

using ActivationFn = Tensor (*)(const Tensor&);

// The activation called `name`; `context` (e.g. "dense") prefixes the error message.
ActivationFn activation_by_name(const std::string& name, const std::string& context = "activation");
const std::vector<std::string>& activation_names();

}  // namespace tn
