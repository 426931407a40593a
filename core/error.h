// tapenet core: errors. Every user-facing failure is an exception whose message says which
// operation failed and why, with the shapes involved, e.g.
//   "matmul: inner dimensions differ: (2, 3) @ (4, 5)"
#pragma once

#include <new>
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

// Storage that cannot be allocated: the message says how much was asked for (and, for a tensor, its
// shape). It is a std::bad_alloc, so code that handles running out of memory still catches it.
struct AllocationError : std::bad_alloc {
    explicit AllocationError(const std::string& what) : message_(what) {}
    const char* what() const noexcept override { return message_.what(); }

private:
    std::runtime_error message_;  // copies without throwing, as an exception must
};

// A model or checkpoint file that cannot be loaded: the message names the file and the problem
// (io/model_format.h).
struct FormatError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] inline void format_error(const std::string& file, const std::string& what) {
    throw FormatError(file + ": " + what);
}
[[noreturn]] inline void shape_error(const std::string& op, const std::string& what) {
    throw ShapeError(op + ": " + what);
}
[[noreturn]] inline void value_error(const std::string& op, const std::string& what) {
    throw ValueError(op + ": " + what);
}

// Normalises a possibly negative axis against `ndim` or throws naming the op.
int64_t normalize_axis(const std::string& op, int64_t axis, int64_t ndim);

}  // namespace tn
