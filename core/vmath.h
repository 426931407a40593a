// tapenet core: activation functions over contiguous float arrays.
//
// Every op and fused kernel that applies exp, tanh or sigmoid to many values goes through these
// loops, so their speed and accuracy are decided in one place (see vmath.cpp for the method and
// tests/test_vmath.cpp for the measured error against libm).
#pragma once

#include <cstdint>

namespace tn::vmath {

void exp(const float* x, float* y, int64_t n);
void tanh(const float* x, float* y, int64_t n);
void sigmoid(const float* x, float* y, int64_t n);  // 1 / (1 + exp(-x))

}  // namespace tn::vmath
