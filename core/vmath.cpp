// Vectorizable exp, tanh and sigmoid.
//
// glibc's scalar expf/tanhf cannot be vectorized by the compiler here (glibc exposes its vector
// versions only under -ffast-math, which would also break NaN checks), and once the GEMMs of an
// LSTM step are batched these calls take about half of a training step. So the loops below are
// written so that GCC vectorizes them (`#pragma omp simd`, branch-free bodies), in one version per
// CPU level chosen at run time (TN_VECTOR_KERNEL, core/cpu_dispatch.h):
//
// exp(x): range reduction x = n ln2 + r with |r| <= ln2/2, exp(r) from the Cephes expf polynomial,
//         and 2^n built directly in the exponent bits. Inputs are clamped to [-87, 88] (beyond it
//         float32 exp over- or underflows anyway: results are then exp(-87) ~ 1.6e-38 or
//         exp(88) ~ 1.7e38). NaN propagates.
// tanh(x): the odd rational minimax approximation x P(x^2) / Q(x^2) (degree 13/6, as used by
//          Eigen), on x clamped to +-7.9 where tanh is 1 in float32.
// sigmoid(x) = 1 / (1 + exp(-x)) with the exp above.
//
// Accuracy against libm, measured by tests/test_vmath.cpp over a dense sweep: exp within 2e-7
// relative, tanh within 2.7e-7 (vectorized; 3.7e-7 in the -O1 sanitizer build) and sigmoid within
// 9e-8 absolute (their outputs are in [-1, 1]).
#include "core/vmath.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "core/cpu_dispatch.h"

namespace tn::vmath {

namespace {

[[gnu::always_inline]] inline float exp_one(float x) {
    x = std::min(std::max(x, -87.0f), 88.0f);
    // n = round(x / ln2): adding 1.5 * 2^23 rounds to an integer held in the low mantissa bits.
    const float shifted = x * 1.44269504088896341f + 12582912.0f;
    const float n = shifted - 12582912.0f;
    // r = x - n ln2, with ln2 split in two parts so that n * 0.693359375 is exact (Cody-Waite)
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    const float r2 = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const float e_r = p * r2 + r + 1.0f;
    // 2^n: move n + 127 from the low mantissa bits into the exponent field. Pure bit operations,
    // so a NaN input just yields NaN.
    const uint32_t low = std::bit_cast<uint32_t>(shifted);
    const float two_n = std::bit_cast<float>((low + 127u) << 23);
    return e_r * two_n;
}

[[gnu::always_inline]] inline float tanh_one(float x) {
    x = std::min(std::max(x, -7.90531110763549805f), 7.90531110763549805f);
    const float x2 = x * x;
    float p = -2.76076847742355e-16f;
    p = p * x2 + 2.00018790482477e-13f;
    p = p * x2 + -8.60467152213735e-11f;
    p = p * x2 + 5.12229709037114e-08f;
    p = p * x2 + 1.48572235717979e-05f;
    p = p * x2 + 6.37261928875436e-04f;
    p = p * x2 + 4.89352455891786e-03f;
    float q = 1.19825839466702e-06f;
    q = q * x2 + 1.18534705686654e-04f;
    q = q * x2 + 2.26843463243900e-03f;
    q = q * x2 + 4.89352518554385e-03f;
    return x * p / q;
}

}  // namespace

TN_VECTOR_KERNEL void exp(const float* x, float* y, int64_t n) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = exp_one(x[i]);
}

TN_VECTOR_KERNEL void tanh(const float* x, float* y, int64_t n) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = tanh_one(x[i]);
}

TN_VECTOR_KERNEL void sigmoid(const float* x, float* y, int64_t n) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + exp_one(-x[i]));
}

}  // namespace tn::vmath
