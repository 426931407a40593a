#include "layers/initializers.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/rng.h"

namespace tn {

namespace {

struct Fans {
    double in, out;
};

Fans compute_fans(const Shape& shape) {
    if (shape.empty()) return {1, 1};
    if (shape.size() == 1) return {double(shape[0]), double(shape[0])};
    double receptive = 1;
    for (size_t i = 0; i + 2 < shape.size(); ++i) receptive *= double(shape[i]);
    return {double(shape[shape.size() - 2]) * receptive, double(shape.back()) * receptive};
}

}  // namespace

Tensor glorot_uniform(const Shape& shape, Rng& rng) {
    const Fans f = compute_fans(shape);
    const float limit = static_cast<float>(std::sqrt(6.0 / std::max(1.0, f.in + f.out)));
    return Tensor::uniform(shape, -limit, limit, rng);
}

Tensor uniform_005(const Shape& shape, Rng& rng) { return Tensor::uniform(shape, -0.05f, 0.05f, rng); }

Tensor orthogonal(const Shape& shape, Rng& rng) {
    if (shape.size() < 2) shape_error("orthogonal", "needs a shape of rank >= 2, got " + shape_str(shape));
    const int64_t rows = shape_numel(shape) / std::max<int64_t>(1, shape.back());
    const int64_t cols = shape.back();
    Tensor out(shape);
    if (rows == 0 || cols == 0) return out;

    // Work on the tall orientation (m >= n): a is m x n, stored column by column in double.
    const bool wide = rows < cols;
    const int64_t m = wide ? cols : rows;
    const int64_t n = wide ? rows : cols;
    std::vector<std::vector<double>> q(static_cast<size_t>(n), std::vector<double>(static_cast<size_t>(m)));
    // Keras draws a (rows, cols) normal matrix and transposes it when wide; draw in that order.
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
            const double v = rng.normal();
            if (wide) q[size_t(r)][size_t(c)] = v;  // column r of the transposed (cols x rows) matrix
            else q[size_t(c)][size_t(r)] = v;
        }

    // Modified Gram-Schmidt, applied twice per column for full double accuracy. It yields the QR
    // factorisation whose R has a positive diagonal, which is what Keras' `q *= sign(diag(r))`
    // turns numpy's Householder QR into, so both give the same Q for the same normal matrix.
    for (int64_t j = 0; j < n; ++j) {
        auto& v = q[size_t(j)];
        for (int pass = 0; pass < 2; ++pass)
            for (int64_t k = 0; k < j; ++k) {
                const auto& qk = q[size_t(k)];
                double dot = 0;
                for (int64_t i = 0; i < m; ++i) dot += qk[size_t(i)] * v[size_t(i)];
                for (int64_t i = 0; i < m; ++i) v[size_t(i)] -= dot * qk[size_t(i)];
            }
        double norm = 0;
        for (double x : v) norm += x * x;
        norm = std::sqrt(norm);
        if (!(norm > 1e-12)) value_error("orthogonal", "the random matrix is rank deficient (draw again)");
        for (double& x : v) x /= norm;
    }

    // Q is m x n with orthonormal columns; the result is Q (tall) or Qᵀ (wide), shaped (rows, cols).
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
            out[r * cols + c] = static_cast<float>(wide ? q[size_t(r)][size_t(c)] : q[size_t(c)][size_t(r)]);
    return out;
}

void write_initializer(ConfigWriter& config, std::string_view key, KerasInitializer initializer) {
    config.object(key, [initializer](ConfigWriter& o) {
        switch (initializer) {
            case KerasInitializer::glorot_uniform:
                o.text("class_name", "GlorotUniform");
                o.object("config", [](ConfigWriter& c) { c.null("seed"); });
                break;
            case KerasInitializer::orthogonal:
                o.text("class_name", "Orthogonal");
                o.object("config", [](ConfigWriter& c) {
                    c.number("gain", 1.0);
                    c.null("seed");
                });
                break;
            case KerasInitializer::zeros:
                o.text("class_name", "Zeros");
                o.object("config", [](ConfigWriter&) {});
                break;
            case KerasInitializer::random_uniform:
                o.text("class_name", "RandomUniform");
                o.object("config", [](ConfigWriter& c) {
                    c.number("minval", -0.05);
                    c.number("maxval", 0.05);
                    c.null("seed");
                });
                break;
        }
    });
}

}  // namespace tn
