#include "layers/multiply.h"

#include "core/ops.h"

namespace tn {

Tensor Multiply::merge(const std::vector<Tensor>& inputs) const {
    Tensor y = inputs[0];
    for (size_t i = 1; i < inputs.size(); ++i) y = y * inputs[i];
    return y;
}

}  // namespace tn
