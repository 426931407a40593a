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

void check_sequence_input(const std::string& layer, const Shape& shape, int64_t input_dim) {
    if (shape.size() != 3)
        shape_error(layer, "expected input of shape (batch, steps, features), got " + shape_str(shape));
    if (shape[1] == 0) shape_error(layer, "the input has no time steps (T = 0): shape " + shape_str(shape));
    if (shape[2] <= 0) shape_error(layer, "the input has no features: shape " + shape_str(shape));
    if (input_dim > 0 && shape[2] != input_dim)
        shape_error(layer, "input has " + std::to_string(shape[2]) + " features but the layer was built for " +
                               std::to_string(input_dim) + ", got input shape " + shape_str(shape));
}

}  // namespace tn
