#include "optim/adam.h"

#include <cmath>

#include "core/cpu_dispatch.h"

namespace tn {

namespace {

// One pass over the four arrays (`omp simd`: GCC does not vectorize these loops at -O2 by itself),
// one version per CPU level (TN_VECTOR_KERNEL, core/cpu_dispatch.h).
// Keras: w -= lr_t m / (√v + ε), lr_t = lr √bias2 / bias1.
TN_VECTOR_KERNEL void adam_keras_pass(int64_t n, float b1, float c1, float b2, float c2, float eps, float lr_t,
                                      float* __restrict m, float* __restrict v, float* __restrict w,
                                      const float* __restrict g) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) {
        m[i] = b1 * m[i] + c1 * g[i];
        v[i] = b2 * v[i] + c2 * g[i] * g[i];
        w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
    }
}

// PyTorch: lr m̂ / (√v̂ + ε) with m̂ = m / bias1 and √v̂ = √v / √bias2, step = lr / bias1.
TN_VECTOR_KERNEL void adam_torch_pass(int64_t n, float b1, float c1, float b2, float c2, float eps, float step,
                                      float inv_sqrt_bias2, float* __restrict m, float* __restrict v,
                                      float* __restrict w, const float* __restrict g) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) {
        m[i] = b1 * m[i] + c1 * g[i];
        v[i] = b2 * v[i] + c2 * g[i] * g[i];
        w[i] -= step * m[i] / (std::sqrt(v[i]) * inv_sqrt_bias2 + eps);
    }
}

}  // namespace

Adam::Adam(AdamOptions options) : Optimizer("Adam", options.learning_rate, options.global_clipnorm), options_(options) {
    require(options.beta_1 >= 0 && options.beta_1 < 1, "beta_1", "in [0, 1)", options.beta_1);
    require(options.beta_2 >= 0 && options.beta_2 < 1, "beta_2", "in [0, 1)", options.beta_2);
    require(options.epsilon >= 0 && std::isfinite(options.epsilon), "epsilon", ">= 0", options.epsilon);
}

void Adam::get_config(ConfigWriter& c) const {
    Optimizer::get_config(c);
    c.number("beta_1", options_.beta_1);
    c.number("beta_2", options_.beta_2);
    c.number("epsilon", options_.epsilon);
    c.text("form", options_.form == AdamForm::keras ? "keras" : "torch");
}

void Adam::update(const ParamUpdate& p, int64_t t) {
    float* __restrict m = slot_data(p, "m");
    float* __restrict v = slot_data(p, "v");
    float* __restrict w = p.w;
    const float* __restrict g = p.g;
    const int64_t n = p.n;
    // The scalar coefficients in double, rounded once to float.
    const double bias1 = 1.0 - std::pow(options_.beta_1, static_cast<double>(t));
    const double bias2 = 1.0 - std::pow(options_.beta_2, static_cast<double>(t));
    const float b1 = static_cast<float>(options_.beta_1), c1 = static_cast<float>(1.0 - options_.beta_1);
    const float b2 = static_cast<float>(options_.beta_2), c2 = static_cast<float>(1.0 - options_.beta_2);
    const float eps = static_cast<float>(options_.epsilon);
    if (options_.form == AdamForm::keras) {
        const float lr_t = static_cast<float>(learning_rate() * std::sqrt(bias2) / bias1);
        adam_keras_pass(n, b1, c1, b2, c2, eps, lr_t, m, v, w, g);
    } else {
        const float step = static_cast<float>(learning_rate() / bias1);
        const float inv_sqrt_bias2 = static_cast<float>(1.0 / std::sqrt(bias2));
        adam_torch_pass(n, b1, c1, b2, c2, eps, step, inv_sqrt_bias2, m, v, w, g);
    }
}

}  // namespace tn
