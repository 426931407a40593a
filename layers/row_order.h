// The rows of a masked batch taken in order of their number of real steps, as PyTorch's packed
// sequences do: for a padded batch (each row's real steps in one run, post- or pre-padded) the rows
// that are real at step t are then the first rows of the batch, and of every block of it, so a
// recurrent kernel can run a step's products on those rows only.
#pragma once

#include <cstdint>
#include <vector>

namespace tn {

// The rows of a (B, T) mask by their number of real steps, most first (stable); empty if that is the
// batch's own order.
std::vector<int64_t> rows_by_real_steps(const std::vector<float>& mask, int64_t B, int64_t T);

// The rows of `v` (B rows of `width`) in that order: out row k = v row order[k].
std::vector<float> gather_rows(const std::vector<int64_t>& order, const float* v, int64_t width);

// How many of the rows [b0, b0 + rows) of a (B, T) mask are real at step t if they are the first
// ones (no mask: all); `rows` when the real rows are not a prefix of the block.
int64_t real_prefix(const std::vector<float>& mask, int64_t T, int64_t b0, int64_t rows, int64_t t);

}  // namespace tn
