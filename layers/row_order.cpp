#include "layers/row_order.h"

#include <algorithm>
#include <cstring>

namespace tn {

std::vector<int64_t> rows_by_real_steps(const std::vector<float>& mask, int64_t B, int64_t T) {
    std::vector<int64_t> real(static_cast<size_t>(B), 0), order(static_cast<size_t>(B));
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t t = 0; t < T; ++t) real[static_cast<size_t>(b)] += mask[static_cast<size_t>(b * T + t)] != 0.0f;
        order[static_cast<size_t>(b)] = b;
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return real[static_cast<size_t>(a)] > real[static_cast<size_t>(b)]; });
    for (int64_t k = 0; k < B; ++k)
        if (order[static_cast<size_t>(k)] != k) return order;
    return {};
}

std::vector<float> gather_rows(const std::vector<int64_t>& order, const float* v, int64_t width) {
    std::vector<float> out(order.size() * static_cast<size_t>(width));
    for (size_t k = 0; k < order.size(); ++k)
        std::memcpy(out.data() + k * static_cast<size_t>(width), v + order[k] * width,
                    static_cast<size_t>(width) * sizeof(float));
    return out;
}

int64_t real_prefix(const std::vector<float>& mask, int64_t T, int64_t b0, int64_t rows, int64_t t) {
    if (mask.empty()) return rows;
    int64_t n = 0;
    while (n < rows && mask[static_cast<size_t>((b0 + n) * T + t)] != 0.0f) ++n;
    for (int64_t r = n; r < rows; ++r)
        if (mask[static_cast<size_t>((b0 + r) * T + t)] != 0.0f) return rows;
    return n;
}

}  // namespace tn
