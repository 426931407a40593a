// Row lookup (embeddings) and masks (dropout).
#include <cmath>
#include <string>

#include "core/error.h"
#include "core/ops.h"
#include "core/rng.h"
#include "core/tape.h"

namespace tn {

// y[..., :] = table[indices[...], :]; backward scatter-adds each row of g into its table row.
Tensor gather_rows(const Tensor& table, const Tensor& indices) {
    if (table.ndim() != 2) shape_error("gather_rows", "table must be 2-D (V, D), got " + shape_str(table.shape()));
    const int64_t vocab = table.dim(0), d = table.dim(1);
    std::vector<int64_t> rows(static_cast<size_t>(indices.numel()));
    for (int64_t j = 0; j < indices.numel(); ++j) {
        const float v = indices[j];
        if (!(v >= 0.0f && v < static_cast<float>(vocab)) || v != std::floor(v))
            value_error("gather_rows", "index " + std::to_string(v) + " at position " + std::to_string(j) +
                                           " is not an integer in [0, " + std::to_string(vocab) + ")");
        rows[j] = static_cast<int64_t>(v);
    }
    Shape ys = indices.shape();
    ys.push_back(d);
    Tensor y(ys);
    for (size_t j = 0; j < rows.size(); ++j) std::copy_n(table.data() + rows[j] * d, d, y.data() + j * d);
    if (tape::wants_grad({&table})) {
        y.attach_grad();
        tape::record("gather_rows", [gt = table.grad_slot(), gy = y.grad_slot(), rows, d, numel = table.numel()] {
            if (!gy->has()) return;
            float* g = gt->acc(numel);
            for (size_t j = 0; j < rows.size(); ++j)
                for (int64_t c = 0; c < d; ++c) g[rows[j] * d + c] += gy->g[j * d + c];
        });
    }
    return y;
}

Tensor mask_mul(const Tensor& x, const Tensor& mask) {
    if (mask.shape() != x.shape())
        shape_error("mask_mul", "mask shape " + shape_str(mask.shape()) + " differs from input " + shape_str(x.shape()));
    Tensor y(x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) y[i] = x[i] * mask[i];
    if (tape::wants_grad({&x})) {
        y.attach_grad();
        tape::record("mask_mul", [gx_slot = x.grad_slot(), gy = y.grad_slot(), m = mask.detach()] {
            if (!gy->has()) return;
            float* gx = gx_slot->acc(m.numel());
            for (int64_t i = 0; i < m.numel(); ++i) gx[i] += gy->g[i] * m[i];
        });
    }
    return y;
}

// Inverted dropout: keep with probability 1 - rate and scale kept values by 1 / (1 - rate), so the
// expected value is unchanged and inference needs no rescaling.
Tensor dropout(const Tensor& x, float rate, Rng& rng) {
    if (!(rate >= 0.0f && rate < 1.0f)) value_error("dropout", "rate must be in [0, 1), got " + std::to_string(rate));
    if (rate == 0.0f) return x;
    const float keep_scale = 1.0f / (1.0f - rate);
    Tensor mask(x.shape());
    for (int64_t i = 0; i < mask.numel(); ++i) mask[i] = rng.uniform() >= rate ? keep_scale : 0.0f;
    return mask_mul(x, mask);
}

}  // namespace tn
