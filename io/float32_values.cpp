#include "io/float32_values.h"

#include <charconv>
#include <cmath>

namespace tn {

std::string float32_problem(int64_t integer) {
    if (integer >= -kMaxExactFloat32Integer && integer <= kMaxExactFloat32Integer) return "";
    return "the integer " + std::to_string(integer) +
           ", which float32 cannot hold exactly (tapenet takes integers in [-2^24, 2^24])";
}

std::string float32_problem(double value) {
    if (!std::isfinite(value) || !std::isinf(static_cast<float>(value))) return "";
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text, value).ptr;
    return std::string(text, end) + ", beyond the range of float32";
}

}  // namespace tn
