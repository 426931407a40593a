#include "layers/activation.h"

namespace tn {

Activation::Activation(const std::string& activation)
    : Layer("activation"), kind_(activation_kind(activation, "activation")), fn_(activation_fn(kind_)) {}

}  // namespace tn
