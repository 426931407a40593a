#include "layers/row_order.h"

#include <algorithm>
#include <cstring>

namespace tn {

namespace {

// The rows of `v` (B rows of `width`) in that order: out row k = v row order[k].
std::vector<float> gather(const std::vector<int64_t>& order, const float* v, int64_t width) {
    std::vector<float> out(order.size() * static_cast<size_t>(width));
    for (size_t k = 0; k < order.size(); ++k)
        std::memcpy(out.data() + k * static_cast<size_t>(width), v + order[k] * width,
                    static_cast<size_t>(width) * sizeof(float));
    return out;
}

}  // namespace

RowOrder::RowOrder(const Tensor& mask, int64_t B, int64_t T) : T_(T) {
    if (!mask.defined()) return;
    mask_ = mask.to_vector();
    std::vector<int64_t> real(static_cast<size_t>(B), 0);
    order_.resize(static_cast<size_t>(B));
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t t = 0; t < T; ++t) real[static_cast<size_t>(b)] += mask_[static_cast<size_t>(b * T + t)] != 0.0f;
        order_[static_cast<size_t>(b)] = b;
    }
    std::stable_sort(order_.begin(), order_.end(),
                     [&](int64_t a, int64_t b) { return real[static_cast<size_t>(a)] > real[static_cast<size_t>(b)]; });
    if (std::is_sorted(order_.begin(), order_.end())) order_.clear();  // the batch's own order
    else mask_ = gather(order_, mask.data(), T);
}

int64_t RowOrder::real_prefix(int64_t b0, int64_t rows, int64_t t) const {
    if (mask_.empty()) return rows;
    int64_t n = 0;
    while (n < rows && real(b0 + n, t)) ++n;
    for (int64_t r = n; r < rows; ++r)
        if (real(b0 + r, t)) return rows;
    return n;
}

Tensor RowOrder::in_order(const Tensor& x) const {
    if (order_.empty()) return x;
    const int64_t width = x.numel() / x.dim(0);
    return Tensor::from_vector(gather(order_, x.data(), width), x.shape());
}

}  // namespace tn
