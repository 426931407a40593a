// tapenet train: small helpers shared by Model's files (train/model.cpp, train/model_fit.cpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "layers/network.h"

namespace tn::model_detail {

// Seeds the shuffling apart from layer 0 (which uses Rng(seed) for its initial weights).
constexpr uint64_t kShuffleStream = 0x5348554646'4c45ULL;  // "SHUFFLE"

inline std::vector<int64_t> range(int64_t begin, int64_t end) {
    std::vector<int64_t> v(static_cast<size_t>(end - begin));
    std::iota(v.begin(), v.end(), begin);
    return v;
}

inline std::string non_finite_name(float v) { return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"); }

// The same rows of every tensor (take_rows of layers/network.h).
inline std::vector<Tensor> take_rows_of(const std::vector<Tensor>& xs, const std::vector<int64_t>& rows) {
    std::vector<Tensor> out;
    out.reserve(xs.size());
    for (const Tensor& x : xs) out.push_back(take_rows(x, rows));
    return out;
}

}  // namespace tn::model_detail
