#include "layers/average.h"

#include "core/ops.h"

namespace tn {

Tensor Average::merge(const std::vector<Tensor>& inputs) const {
    Tensor y = inputs[0];
    for (size_t i = 1; i < inputs.size(); ++i) y = y + inputs[i];
    return y * (1.0f / static_cast<float>(inputs.size()));
}

}  // namespace tn
