// tapenet layers: checking sequence inputs and their masks.
//
// A mask is a (B, T) tensor holding exactly 0 (padded step) or 1 (real step); an undefined tensor
// means "no mask". Layers that read masks (LSTM, Attention) validate them with check_mask.
#pragma once

#include <cstdint>
#include <string>

#include "core/tensor.h"

namespace tn {

// Throws a ShapeError unless `mask` is (batch, steps), and a ValueError if a value is not 0 or 1.
void check_mask(const std::string& layer, const Tensor& mask, int64_t batch, int64_t steps);

// Throws a ShapeError naming `layer` unless `shape` is (batch, steps >= 1, features >= 1), with
// features == input_dim once the layer is built (input_dim > 0). Shared by LSTM and Attention.
void check_sequence_input(const std::string& layer, const Shape& shape, int64_t input_dim);

}  // namespace tn
