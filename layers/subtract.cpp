#include "layers/subtract.h"

#include "core/ops.h"

namespace tn {

Tensor Subtract::merge(const std::vector<Tensor>& inputs) const {
    return inputs[0] - inputs[1];
}

}  // namespace tn
