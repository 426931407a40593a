#include "layers/mask.h"

#include <sstream>

#include "core/error.h"

namespace tn {

void check_mask(const std::string& layer, const Tensor& mask, int64_t batch, int64_t steps) {
    if (mask.shape() != Shape{batch, steps})
        shape_error(layer, "the mask must have shape " + shape_str({batch, steps}) + " (batch, steps), got " +
                               shape_str(mask.shape()));
    for (int64_t i = 0; i < mask.numel(); ++i)
        if (mask[i] != 0.0f && mask[i] != 1.0f) {
            std::ostringstream os;
            os << "mask values must be 0 or 1, got " << mask[i] << " at [" << i / steps << ", " << i % steps
               << "]";
            value_error(layer, os.str());
        }
}

}  // namespace tn
