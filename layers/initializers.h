// tapenet layers: Keras' default weight initializers, each drawing from an explicit Rng.
//
//   glorot_uniform  U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))   Dense, LSTM and Attention kernels
//   orthogonal      a random matrix with orthonormal rows or columns        LSTM recurrent_kernel
//   uniform_005     U(-0.05, 0.05)                                           Embedding (Keras "uniform")
//   zeros                                                                    biases
//
// Fans follow Keras: a (rows, cols) matrix has fan_in = rows and fan_out = cols; a vector (n) has
// both equal to n; for rank > 2 the leading axes are a receptive field multiplying both.
#pragma once

#include <string_view>

#include "core/config.h"
#include "core/tensor.h"

namespace tn {

class Rng;

Tensor glorot_uniform(const Shape& shape, Rng& rng);

// Keras Orthogonal(gain=1): flatten to (rows = prod(shape[:-1]), cols = shape[-1]), draw a standard
// normal matrix, take its QR decomposition with the signs fixed so that R has a positive diagonal.
// The result has orthonormal columns when rows >= cols and orthonormal rows otherwise
// (an LSTM's (U, 4U) recurrent kernel satisfies W Wᵀ = I).
Tensor orthogonal(const Shape& shape, Rng& rng);

// Keras' RandomUniform default range, used for embeddings.
Tensor uniform_005(const Shape& shape, Rng& rng);

inline Tensor zeros(const Shape& shape) { return Tensor::zeros(shape); }
// zeros with the signature of the others (a WeightSpec's initializer).
inline Tensor zeros_initializer(const Shape& shape, Rng&) { return Tensor::zeros(shape); }

// The initializer objects a Keras config names ({"class_name": "GlorotUniform", "config": {...}}).
// tapenet writes them so that Keras and TF.js readers find the keys they expect; reading ignores
// them (a loaded model takes its weights from the file).
enum class KerasInitializer { glorot_uniform, orthogonal, zeros, random_uniform };
void write_initializer(ConfigWriter& config, std::string_view key, KerasInitializer initializer);

}  // namespace tn
