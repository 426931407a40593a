// tapenet core: the finite-difference gradient checker, used by every op and layer test.
//
// For a function f of some input tensors that returns a tensor y, the checker uses the scalar
// L = sum(y * R) for a fixed random R (so every output element matters), computes dL/dx by
// backward, and compares with central differences (L(x + h) - L(x - h)) / 2h accumulated in double.
// An element passes when |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|).
//
// Why these defaults: the forward runs in float32 (rounding ~6e-8 relative per value), so the
// difference quotient carries rounding noise ~1e-7 * |y| / h; a larger step trades it for the
// truncation error h^2 f'''/6. With h = 1e-2 both stay below ~1e-4 of the gradient for the smooth
// ops here, leaving rtol = 1e-3 (the project's float32 gradient bar) a margin of about 10x.
// Keep inputs of kinked ops (relu, abs, max, clip) farther than h from their kinks.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace tn {

struct GradcheckOptions {
    double step = 1e-2;      // h (absolute)
    double rtol = 1e-3;      // relative tolerance
    double atol = 1e-4;      // absolute tolerance (for gradients near zero)
    uint64_t seed = 1234;    // seed of the random projection R
};

struct GradcheckResult {
    bool ok = true;
    double max_abs_err = 0;
    double max_rel_err = 0;
    std::string report;      // first failing element, or empty
};

// `inputs` are the tensors to differentiate (they are given requires_grad by the checker).
// `f` must be deterministic (no dropout with a fresh seed per call).
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          std::vector<Tensor> inputs, GradcheckOptions opts = {});

}  // namespace tn
