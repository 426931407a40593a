// tapenet core: errors. Every user-facing failure is an exception whose message says which
// operation failed and why, with the shapes involved, e.g.
//   "matmul: inner dimensions differ: (2, 3) @ (4, 5)"
#pragma once

#include <stdexcept>
#include <string>

#include "core/tensor.h"

namespace tn {

// Wrong shapes, ranks or axes.
struct ShapeError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// Bad values: an unknown name, a rate outside [0, 1), NaN where it is not allowed, ...
struct ValueError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

[[noreturn]] inline void shape_error(const std::string& op, const std::string& what) {
    throw ShapeError(op + ": " + what);
}
[[noreturn]] inline void value_error(const std::string& op, const std::string& what) {
    throw ValueError(op + ": " + what);
}

// Normalises a possibly negative axis against `ndim` or throws naming the op.
int64_t normalize_axis(const std::string& op, int64_t axis, int64_t ndim);

}  // namespace tn
