// The layers: initializers, hand-worked forward values, independent double-precision loops for
// LSTM and Attention (with and without masks), finite-difference gradient checks on shapes other
// than the reference ones, parameter counts, the registry, the summary, and the error messages.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/rng.h"
#include "core/tape.h"
#include "io/json_config.h"
#include "layers/activations.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/embedding.h"
#include "layers/initializers.h"
#include "layers/gru.h"
#include "layers/lstm.h"
#include "layers/masking.h"
#include "layers/softmax.h"
#include "layers/time_distributed.h"
#include "layers/registry.h"
#include "layers/summary.h"
#include "tests/test_util.h"

using tn::testing::contains;

namespace tn {
namespace {

Tensor random_tensor(Shape shape, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
    Rng rng(seed);
    return Tensor::uniform(std::move(shape), lo, hi, rng);
}

Tensor mask_from(const std::vector<std::vector<float>>& rows) {
    const int64_t B = static_cast<int64_t>(rows.size()), T = static_cast<int64_t>(rows[0].size());
    Tensor m({B, T});
    for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 0; t < T; ++t) m[b * T + t] = rows[size_t(b)][size_t(t)];
    return m;
}

bool bit_identical(const Tensor& a, const Tensor& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), sizeof(float) * size_t(a.numel())) == 0;
}

void check_near(const Tensor& got, const std::vector<double>& want, double tol, const std::string& what) {
    INFO(what);
    REQUIRE(got.numel() == static_cast<int64_t>(want.size()));
    for (int64_t i = 0; i < got.numel(); ++i) {
        INFO("element " << i << ": got " << got[i] << ", want " << want[size_t(i)]);
        CHECK(std::abs(double(got[i]) - want[size_t(i)]) <= tol);
    }
}

// Runs the finite-difference check of `layer` wrt x (unless x holds indices) and the layer's
// parameters, with an optional mask.
void check_layer_gradients(Layer& layer, const Tensor& x, const Tensor& mask = Tensor(), bool wrt_input = true) {
    layer.build(x.shape());
    std::vector<Tensor> inputs;
    if (wrt_input) inputs.push_back(x.clone());
    for (const Param& p : layer.params()) inputs.push_back(p.value);  // handles: perturbing them moves the layer
    const auto f = [&](const std::vector<Tensor>& v) { return layer.forward(wrt_input ? v[0] : x, mask, false); };
    const GradcheckResult r = gradcheck(f, inputs);
    INFO(layer.name() << " on " << shape_str(x.shape()) << ": " << r.report);
    CHECK(r.ok);  // every element within 1e-4 + 1e-3 * |gradient|
    CHECK(tape::size() == 0);
}

// The message of the exception `f` throws, which must be of type E.
template <class E, class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        FAIL("wrong exception type, message: " << e.what());
    }
    FAIL("no exception thrown");
    return {};
}


// ---------------------------------------------------------------------------------------------
// Independent references in double precision: plain loops over the Keras equations.

double act_ref(const std::string& name, double z) {
    if (name == "sigmoid") return 1.0 / (1.0 + std::exp(-z));
    if (name == "hard_sigmoid") return std::clamp(0.2 * z + 0.5, 0.0, 1.0);
    if (name == "tanh") return std::tanh(z);
    if (name == "relu") return std::max(z, 0.0);
    return z;  // linear
}

struct LstmRef {
    std::vector<double> seq;  // (B, T, U) outputs
    std::vector<double> h, c; // (B, U) final state
};

// Keras LSTM; a masked step keeps h and c and outputs the previous h.
LstmRef lstm_reference(const Tensor& x, const LSTM& layer, const Tensor& mask) {
    const int64_t B = x.dim(0), T = x.dim(1), D = x.dim(2), U = layer.units();
    const Tensor& k = layer.params()[0].value;
    const Tensor& rk = layer.params()[1].value;
    const bool has_bias = layer.params().size() == 3;
    LstmRef r{std::vector<double>(size_t(B * T * U)), std::vector<double>(size_t(B * U), 0.0),
              std::vector<double>(size_t(B * U), 0.0)};
    for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 0; t < T; ++t) {
            const bool real = !mask.defined() || mask[b * T + t] != 0.0f;
            if (real) {
                std::vector<double> z(size_t(4 * U));
                for (int64_t j = 0; j < 4 * U; ++j) {
                    double s = has_bias ? layer.params()[2].value[j] : 0.0;
                    for (int64_t d = 0; d < D; ++d) s += double(x[(b * T + t) * D + d]) * k[d * 4 * U + j];
                    for (int64_t u = 0; u < U; ++u) s += r.h[size_t(b * U + u)] * rk[u * 4 * U + j];
                    z[size_t(j)] = s;
                }
                for (int64_t u = 0; u < U; ++u) {
                    const double i = act_ref(layer.recurrent_activation(), z[size_t(u)]);
                    const double f = act_ref(layer.recurrent_activation(), z[size_t(U + u)]);
                    const double g = act_ref(layer.activation(), z[size_t(2 * U + u)]);
                    const double o = act_ref(layer.recurrent_activation(), z[size_t(3 * U + u)]);
                    double& c = r.c[size_t(b * U + u)];
                    c = f * c + i * g;
                    r.h[size_t(b * U + u)] = o * act_ref(layer.activation(), c);
                }
            }
            for (int64_t u = 0; u < U; ++u) r.seq[size_t((b * T + t) * U + u)] = r.h[size_t(b * U + u)];
        }
    return r;
}

struct AttentionRef {
    std::vector<double> y, alpha, score, context, h_t;
};

// keras-attention 5.0 on the unmasked steps of each row; masked steps get alpha = 0 and no score.
AttentionRef attention_reference(const Tensor& h_s, const Attention& layer, const Tensor& mask) {
    const int64_t B = h_s.dim(0), T = h_s.dim(1), D = h_s.dim(2), N = layer.units();
    const bool luong = layer.score() == AttentionScore::luong;
    const auto& p = layer.params();
    const Tensor& wc = p.back().value;  // attention_vector (2D, N)
    AttentionRef r;
    r.y.resize(size_t(B * N));
    r.alpha.assign(size_t(B * T), 0.0);
    r.score.assign(size_t(B * T), 0.0);
    r.context.assign(size_t(B * D), 0.0);
    r.h_t.resize(size_t(B * D));
    auto hs = [&](int64_t b, int64_t t, int64_t d) { return double(h_s[(b * T + t) * D + d]); };
    for (int64_t b = 0; b < B; ++b) {
        std::vector<int64_t> steps;
        for (int64_t t = 0; t < T; ++t)
            if (!mask.defined() || mask[b * T + t] != 0.0f) steps.push_back(t);
        const int64_t last = steps.back();
        std::vector<double> ht(static_cast<size_t>(D));
        for (int64_t d = 0; d < D; ++d) ht[size_t(d)] = r.h_t[size_t(b * D + d)] = hs(b, last, d);
        double max_score = -1e300;
        for (int64_t t : steps) {
            double s = 0;
            if (luong) {
                for (int64_t e = 0; e < D; ++e) {
                    double hw = 0;  // (h_s[b,t] @ W)[e]
                    for (int64_t d = 0; d < D; ++d) hw += hs(b, t, d) * p[0].value[d * D + e];
                    s += ht[size_t(e)] * hw;
                }
            } else {
                for (int64_t e = 0; e < D; ++e) {
                    double a = 0;
                    for (int64_t d = 0; d < D; ++d)
                        a += ht[size_t(d)] * p[0].value[d * D + e] + hs(b, t, d) * p[1].value[d * D + e];
                    s += std::tanh(a) * p[2].value[e];
                }
            }
            r.score[size_t(b * T + t)] = s;
            max_score = std::max(max_score, s);
        }
        double total = 0;
        for (int64_t t : steps) total += std::exp(r.score[size_t(b * T + t)] - max_score);
        for (int64_t t : steps) r.alpha[size_t(b * T + t)] = std::exp(r.score[size_t(b * T + t)] - max_score) / total;
        for (int64_t t : steps)
            for (int64_t d = 0; d < D; ++d) r.context[size_t(b * D + d)] += r.alpha[size_t(b * T + t)] * hs(b, t, d);
        for (int64_t n = 0; n < N; ++n) {
            double s = 0;
            for (int64_t d = 0; d < D; ++d)
                s += r.context[size_t(b * D + d)] * wc[d * N + n] + ht[size_t(d)] * wc[(D + d) * N + n];
            r.y[size_t(b * N + n)] = std::tanh(s);
        }
    }
    return r;
}

// ---------------------------------------------------------------------------------------------
// Initializers

TEST_CASE("initializers: orthogonal has orthonormal rows (wide) or columns (tall), W Wᵀ = I within 1e-5") {
    for (const Shape& shape : std::vector<Shape>{{100, 400}, {3, 12}, {7, 3}, {6, 6}, {1, 4}}) {
        Rng rng(42);
        const Tensor w = orthogonal(shape, rng);
        REQUIRE(w.shape() == shape);
        const bool wide = shape[0] <= shape[1];
        // Gram matrix of the rows (wide) or of the columns (tall).
        const Tensor gram = wide ? matmul(w, w, false, true) : matmul(w, w, true, false);
        double worst = 0;
        for (int64_t i = 0; i < gram.dim(0); ++i)
            for (int64_t j = 0; j < gram.dim(1); ++j)
                worst = std::max(worst, std::abs(double(gram.at({i, j})) - (i == j ? 1.0 : 0.0)));
        INFO("shape " << shape_str(shape) << ": max |W Wᵀ - I| = " << worst);
        CHECK(worst <= 1e-5);
    }
}

TEST_CASE("initializers: orthogonal is Keras' Q of the QR of a normal matrix, R with a positive diagonal") {
    // Redraw the same normal matrix A (Keras draws (rows, cols), then transposes when wide) and
    // check that R = Qᵀ A is upper triangular with a positive diagonal: that pins Q down uniquely.
    const int64_t rows = 3, cols = 8;
    Rng rng(7), same(7);
    const Tensor w = orthogonal({rows, cols}, rng);  // wide: Q = wᵀ (8 x 3), A = normal(3, 8)ᵀ
    const Tensor a = Tensor::normal({rows, cols}, 0.0f, 1.0f, same);
    const Tensor r = matmul(w, a, false, true);  // Qᵀ Aᵀ... = w @ aᵀ, (3, 3)
    for (int64_t i = 0; i < rows; ++i) {
        CHECK(r.at({i, i}) > 0.0f);
        for (int64_t j = 0; j < i; ++j) CHECK(std::abs(r.at({i, j})) < 1e-5f);
    }
}

TEST_CASE("initializers: glorot_uniform limit, uniform(-0.05, 0.05), seeded") {
    Rng rng(3);
    const Tensor w = glorot_uniform({50, 70}, rng);
    const float limit = std::sqrt(6.0f / 120.0f);
    float lo = 1, hi = -1;
    double mean = 0;
    for (int64_t i = 0; i < w.numel(); ++i) {
        lo = std::min(lo, w[i]);
        hi = std::max(hi, w[i]);
        mean += w[i] / double(w.numel());
    }
    CHECK(lo >= -limit);
    CHECK(hi < limit);
    CHECK(lo < -0.98f * limit);  // 3500 draws reach the ends of the range
    CHECK(hi > 0.98f * limit);
    CHECK(std::abs(mean) < 0.02 * limit);
    Rng again(3);
    CHECK(bit_identical(glorot_uniform({50, 70}, again), w));
    const Tensor e = uniform_005({40, 25}, rng);
    for (int64_t i = 0; i < e.numel(); ++i) CHECK((e[i] >= -0.05f && e[i] < 0.05f));
}

TEST_CASE("initializers: LSTM kernel glorot, recurrent orthogonal, bias zeros with forget gate 1") {
    LSTM lstm(4);
    lstm.set_seed(11);
    lstm.build({2, 3, 5});
    const auto& p = lstm.params();
    REQUIRE(p.size() == 3);
    CHECK(p[0].name == "kernel");
    CHECK(p[1].name == "recurrent_kernel");
    CHECK(p[2].name == "bias");
    const float limit = std::sqrt(6.0f / (5 + 16));
    for (int64_t i = 0; i < p[0].value.numel(); ++i) CHECK(std::abs(p[0].value[i]) <= limit);
    const Tensor gram = matmul(p[1].value, p[1].value, false, true);
    for (int64_t i = 0; i < 4; ++i)
        for (int64_t j = 0; j < 4; ++j) CHECK(gram.at({i, j}) == doctest::Approx(i == j ? 1.0 : 0.0).epsilon(1e-5));
    const std::vector<float> want_bias = {0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(p[2].value.to_vector() == want_bias);

    LSTM plain(4, false, "tanh", "sigmoid", true, /*unit_forget_bias=*/false);
    plain.build({2, 3, 5});
    CHECK(plain.params()[2].value.to_vector() == std::vector<float>(16, 0.0f));

    LSTM same(4);
    same.set_seed(11);
    same.build({1, 1, 5});
    CHECK(bit_identical(same.params()[1].value, p[1].value));  // the seed decides the weights
}

// ---------------------------------------------------------------------------------------------
// Parameter counts and the summary

TEST_CASE("parameter counts match Keras") {
    LSTM lstm(100, true);
    lstm.build({-1, 20, 1});
    CHECK(lstm.count_params() == 40800);  // 4 * 100 * (1 + 100 + 1)
    Attention bahdanau(128, "bahdanau");
    bahdanau.build({-1, 20, 100});
    CHECK(bahdanau.count_params() == 45700);  // 2 * 100² + 100 + 200 * 128
    Attention luong(128, "luong");
    luong.build({-1, 20, 128});
    CHECK(luong.count_params() == 49152);  // 128² + 256 * 128
    Dense dense(1);
    dense.build({-1, 128});
    CHECK(dense.count_params() == 129);
    Embedding emb(1000, 64);
    emb.build({-1, 30});
    CHECK(emb.count_params() == 64000);
    Dropout drop(0.2);
    drop.build({-1, 8});
    CHECK(drop.count_params() == 0);
}

TEST_CASE("summary: Keras-style table with output shapes, counts and totals") {
    LSTM lstm(100, true);
    Attention attention(128, "bahdanau");
    Dropout dropout(0.2);
    Dense dense(1);
    const std::string s = summary({&lstm, &attention, &dropout, &dense}, {-1, 20, 1}, "add_two_numbers");
    const std::string want =
        "Model: \"add_two_numbers\"\n"
        "_________________________________________________________________\n"
        " Layer (type)                Output Shape              Param #\n"
        "=================================================================\n"
        " lstm (LSTM)                 (None, 20, 100)           40800\n"
        " attention (Attention)       (None, 128)               45700\n"
        " dropout (Dropout)           (None, 128)               0\n"
        " dense (Dense)               (None, 1)                 129\n"
        "=================================================================\n"
        "Total params: 86,629\n"
        "Trainable params: 86,629\n"
        "Non-trainable params: 0\n"
        "_________________________________________________________________\n";
    CHECK(s == want);
    CHECK(format_thousands(0) == "0");
    CHECK(format_thousands(999) == "999");
    CHECK(format_thousands(1000) == "1,000");
    CHECK(format_thousands(1234567) == "1,234,567");
    CHECK(format_thousands(-45700) == "-45,700");
    // A shape that does not fit is reported by the layer that receives it.
    Dense wide(3);
    CHECK_THROWS_WITH_AS(summary({&wide}, {-1}), "dense: expected input of shape (batch, features) or (batch, steps, "
                                                 "features), got (-1,)",
                         ShapeError);
}

TEST_CASE("summary: a name longer than its column wraps inside it, so the columns stay aligned") {
    Dense wide(12);
    wide.set_name("dense_layer_with_a_very_long_descriptive_name");
    Dense head(1);
    const std::string s = summary({&wide, &head}, {-1, 3, 1234567}, "long");
    const std::string want =
        "Model: \"long\"\n"
        "_________________________________________________________________\n"
        " Layer (type)                Output Shape              Param #\n"
        "=================================================================\n"
        " dense_layer_with_a_very_lo  (None, 3, 12)             14814816\n"
        " ng_descriptive_name (Dense\n"
        " )\n"
        " dense (Dense)               (None, 3, 1)              13\n"
        "=================================================================\n"
        "Total params: 14,814,829\n"
        "Trainable params: 14,814,829\n"
        "Non-trainable params: 0\n"
        "_________________________________________________________________\n";
    CHECK(s == want);
    // Characters, not bytes, fill a column: a UTF-8 name wraps where an ASCII one of its length would.
    Dense accented(1);
    accented.set_name("d\xc3\xa9j\xc3\xa0_vu_une_couche_au_nom_long");  // "déjà_vu_..." (30 characters)
    const std::string u = summary({&accented}, {-1, 2});
    CHECK(contains(u, " d\xc3\xa9j\xc3\xa0_vu_une_couche_au_nom_  (None, 1)                 3\n"
                      " long (Dense)\n"));
}

// ---------------------------------------------------------------------------------------------
// Activations

TEST_CASE("activations: values by name, unknown names list the valid ones") {
    const Tensor x = Tensor::from_vector({-3, -1, 0, 1, 3}, {5});
    auto run = [&](const char* name) { return activation_by_name(name)(x).to_vector(); };
    CHECK(run("linear") == x.to_vector());
    CHECK(run("relu") == std::vector<float>{0, 0, 0, 1, 3});
    CHECK(run("hard_sigmoid") == std::vector<float>{0.0f, 0.3f, 0.5f, 0.7f, 1.0f});
    const auto sig = run("sigmoid");
    CHECK(sig[2] == 0.5f);
    CHECK(sig[3] == doctest::Approx(0.7310585786));
    CHECK(run("tanh")[4] == doctest::Approx(std::tanh(3.0)));
    const auto sm = run("softmax");  // over the one axis: e^x / Σ e^x
    const double total = std::exp(-3) + std::exp(-1) + 1 + std::exp(1) + std::exp(3);
    CHECK(sm[4] == doctest::Approx(std::exp(3) / total));
    CHECK(activation_names().size() == 6);
    CHECK_THROWS_WITH_AS(activation_by_name("swish"),
                         "activation: unknown activation 'swish'; valid activations are: linear, relu, sigmoid, "
                         "hard_sigmoid, tanh, softmax",
                         ValueError);
}

// ---------------------------------------------------------------------------------------------
// Dense

TEST_CASE("dense: hand-worked values, 3-D input, no bias, config") {
    Dense dense(2, "relu");
    dense.build({1, 3});
    dense.set_weights({Tensor::from_vector({1, -1, 2, 0, -1, 3}, {3, 2}), Tensor::from_vector({0.5f, -4}, {2})});
    // [1, 2, 3] @ kernel = [1*1 + 2*2 + 3*-1, 1*-1 + 0 + 3*3] = [2, 8]; + bias = [2.5, 4]
    const Tensor y = dense.forward(Tensor::from_vector({1, 2, 3, -1, 0, 0}, {2, 3}));
    CHECK(y.to_vector() == std::vector<float>{2.5f, 4.0f, 0.0f, 0.0f});  // row 2: [-0.5, -3] -> relu -> 0
    const Tensor y3 = dense.forward(Tensor::from_vector({1, 2, 3, -1, 0, 0}, {1, 2, 3}));
    CHECK(y3.shape() == Shape{1, 2, 2});
    CHECK(y3.to_vector() == y.to_vector());

    Dense nobias(3, "linear", false);
    nobias.build({4, 5});
    REQUIRE(nobias.params().size() == 1);
    CHECK(nobias.params()[0].name == "kernel");
    CHECK(layer_config_json(dense) == nlohmann::ordered_json::parse(R"({
        "name": "dense", "units": 2, "activation": "relu", "use_bias": true,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}})"));
    CHECK(dense.output_shape({-1, 7, 3}) == Shape{-1, 7, 2});
}

TEST_CASE("dense: gradient check on several shapes") {
    for (const Shape& shape : std::vector<Shape>{{1, 1}, {3, 5}, {1, 1, 2}, {2, 3, 4}}) {
        Dense tanh_dense(3, "tanh");
        tanh_dense.set_seed(5);
        check_layer_gradients(tanh_dense, random_tensor(shape, 1));
        Dense softmax_dense(4, "softmax", false);
        check_layer_gradients(softmax_dense, random_tensor(shape, 2));
    }
}

TEST_CASE("dense: bad input and bad arguments") {
    Dense dense(2);
    CHECK_THROWS_WITH_AS(dense.forward(Tensor::zeros({4})),
                         "dense: expected input of shape (batch, features) or (batch, steps, features), got (4,)",
                         ShapeError);
    dense.forward(Tensor::zeros({3, 4}));
    CHECK_THROWS_WITH_AS(dense.forward(Tensor::zeros({3, 5})),
                         "dense: input has 5 features but the layer was built for 4, got input shape (3, 5)",
                         ShapeError);
    CHECK_THROWS_WITH_AS(Dense(0), "dense: units must be positive, got 0", ValueError);
    CHECK_THROWS_WITH_AS(Dense(3, "Relu"),
                         "dense: unknown activation 'Relu'; valid activations are: linear, relu, sigmoid, "
                         "hard_sigmoid, tanh, softmax",
                         ValueError);
}

// ---------------------------------------------------------------------------------------------
// Embedding

TEST_CASE("embedding: lookup, mask_zero, gradient scatter-add, bad indices") {
    Embedding emb(5, 3, true);
    emb.build({2, 3});
    const Tensor table = Tensor::from_vector({0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {5, 3});
    emb.set_weights({table});
    const Tensor idx = Tensor::from_vector({1, 4, 1, 0, 0, 2}, {2, 3});
    const Tensor y = emb.forward(idx);
    CHECK(y.shape() == Shape{2, 3, 3});
    CHECK(y.to_vector() == std::vector<float>{1, 2, 3, 10, 11, 12, 1, 2, 3, 0, 0, 0, 0, 0, 0, 4, 5, 6});
    CHECK(emb.compute_mask(idx, Tensor()).to_vector() == std::vector<float>{1, 1, 1, 0, 0, 1});
    CHECK_FALSE(Embedding(5, 3).compute_mask(idx, Tensor()).defined());

    // d sum(y * R) / d table: row 1 gets R[0,0] + R[0,2], row 0 gets R[1,0] + R[1,1], ...
    const Tensor r = random_tensor({2, 3, 3}, 9);
    tape::clear();
    emb.forward(idx).backward(r);
    const Tensor g = emb.params()[0].value.grad();
    for (int64_t d = 0; d < 3; ++d) {
        CHECK(g.at({1, d}) == doctest::Approx(r[0 * 3 + d] + r[2 * 3 + d]));
        CHECK(g.at({0, d}) == doctest::Approx(r[3 * 3 + d] + r[4 * 3 + d]));
        CHECK(g.at({3, d}) == 0.0f);
    }

    Embedding gc(6, 2);
    check_layer_gradients(gc, Tensor::from_vector({5, 0, 5, 2}, {1, 4}), Tensor(), /*wrt_input=*/false);
    const nlohmann::ordered_json emb_config = layer_config_json(emb);
    CHECK(emb_config.at("input_dim") == 5);
    CHECK(emb_config.at("output_dim") == 3);
    CHECK(emb_config.at("mask_zero") == true);

    CHECK_THROWS_WITH_AS(emb.forward(Tensor::from_vector({1, 5}, {1, 2})),
                         "embedding: index 5 at [0, 1] is out of range for a vocabulary of size 5 (valid indices: 0 "
                         "to 4)",
                         ValueError);
    CHECK_THROWS_WITH_AS(emb.forward(Tensor::from_vector({-1, 0}, {1, 2})),
                         "embedding: index -1 at [0, 0] is out of range for a vocabulary of size 5 (valid indices: 0 "
                         "to 4)",
                         ValueError);
    CHECK_THROWS_WITH_AS(emb.forward(Tensor::from_vector({1, 2.5f}, {2, 1})),
                         "embedding: index 2.5 at [1, 0] is not an integer for a vocabulary of size 5 (valid "
                         "indices: 0 to 4)",
                         ValueError);
    CHECK_THROWS_WITH_AS(emb.forward(Tensor::zeros({2, 3, 1})),
                         "embedding: expected indices of shape (batch, steps), got (2, 3, 1)", ShapeError);
    CHECK_THROWS_WITH_AS(Embedding(0, 3), "embedding: input_dim (vocabulary size) must be positive, got 0",
                         ValueError);
}

// ---------------------------------------------------------------------------------------------
// Dropout

TEST_CASE("dropout: identity at inference, inverted and seeded while training, gradient through the mask") {
    const Tensor x = random_tensor({50, 40}, 4, 0.5f, 1.5f);  // no zeros, so y == 0 means dropped
    Dropout drop(0.25);
    drop.set_seed(8);
    CHECK(drop.forward(x, false).shares_storage(x));

    Tensor xg = x.clone();
    xg.requires_grad();
    tape::clear();
    const Tensor y = drop.forward(xg, true);
    const Tensor r = random_tensor(x.shape(), 6);
    y.backward(r);
    const Tensor g = xg.grad();
    int64_t kept = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
        const bool keep = y[i] != 0.0f;
        kept += keep;
        if (keep) CHECK(y[i] == doctest::Approx(x[i] / 0.75f));
        CHECK(g[i] == doctest::Approx(keep ? r[i] / 0.75f : 0.0f));
    }
    // 2000 Bernoulli(0.75) draws: 1500 expected, standard deviation ~19.4.
    CHECK(kept > 1500 - 100);
    CHECK(kept < 1500 + 100);

    const Tensor y2 = drop.forward(x, true);  // the layer's Rng moves on: a new mask
    CHECK_FALSE(bit_identical(y, y2));
    Dropout same(0.25);
    same.set_seed(8);
    CHECK(bit_identical(same.forward(x, true), y));  // same seed, same first mask

    CHECK(layer_config_json(drop) ==
          nlohmann::ordered_json::parse(R"({"name": "dropout", "rate": 0.25, "noise_shape": null, "seed": null})"));
    CHECK_THROWS_WITH_AS(Dropout(1.0), "dropout: rate must be in [0, 1), got 1", ValueError);
    CHECK_THROWS_WITH_AS(Dropout(-0.1), "dropout: rate must be in [0, 1), got -0.1", ValueError);
    CHECK_THROWS_AS(Dropout(std::nan("")), ValueError);
}

// ---------------------------------------------------------------------------------------------
// LSTM

TEST_CASE("lstm: forward equals an independent double-precision loop, for every option") {
    struct Option {
        int64_t units;
        bool return_sequences;
        const char* activation;
        const char* recurrent;
        bool use_bias;
    };
    const Option options[] = {{3, true, "tanh", "sigmoid", true},
                              {2, false, "tanh", "hard_sigmoid", true},
                              {4, true, "relu", "sigmoid", false},
                              {1, false, "linear", "hard_sigmoid", true}};
    uint64_t seed = 100;
    for (const Option& o : options)
        for (const Shape& shape : std::vector<Shape>{{1, 1, 1}, {3, 4, 2}, {2, 6, 5}}) {
            LSTM lstm(o.units, o.return_sequences, o.activation, o.recurrent, o.use_bias);
            lstm.set_seed(++seed);
            lstm.build(shape);
            if (o.use_bias)  // a non-trivial bias (the initial one is all 0 and 1)
                lstm.set_weights({lstm.params()[0].value.clone(), lstm.params()[1].value.clone(),
                                  random_tensor({4 * o.units}, seed)});
            const Tensor x = random_tensor(shape, seed + 1000, -2.0f, 2.0f);
            const Tensor y = lstm.forward(x);
            const LSTMOutputs run = lstm.run(x);
            CHECK(bit_identical(run.y, y));
            const LstmRef ref = lstm_reference(x, lstm, Tensor());
            INFO("units " << o.units << " " << o.activation << "/" << o.recurrent << " on " << shape_str(shape));
            if (o.return_sequences) {
                CHECK(y.shape() == Shape{shape[0], shape[1], o.units});
                check_near(y, ref.seq, 1e-5, "y");
            } else {
                CHECK(y.shape() == Shape{shape[0], o.units});
                check_near(y, ref.h, 1e-5, "y");
            }
            check_near(run.h, ref.h, 1e-5, "h");
            check_near(run.c, ref.c, 1e-5, "c");
            const std::vector<Tensor> all = lstm.forward_all({x}, {}, false);  // {y}: no return_state
            REQUIRE(all.size() == 1);
            CHECK(bit_identical(all[0], y));
        }
}

TEST_CASE("lstm: gradient check on shapes with B = 1 and T = 1, with and without a mask") {
    for (const Shape& shape : std::vector<Shape>{{1, 1, 1}, {1, 3, 2}, {2, 1, 3}, {3, 4, 2}}) {
        LSTM seq(3, true);
        seq.set_seed(21);
        check_layer_gradients(seq, random_tensor(shape, 22));
        LSTM last(2, false, "tanh", "sigmoid", true);
        last.set_seed(23);
        check_layer_gradients(last, random_tensor(shape, 24));
    }
    const Tensor mask = mask_from({{1, 1, 1, 0, 0}, {0, 0, 1, 1, 1}, {1, 0, 1, 1, 0}});
    LSTM seq(3, true);
    seq.set_seed(25);
    check_layer_gradients(seq, random_tensor({3, 5, 2}, 26), mask);
    LSTM last(3, false);
    last.set_seed(27);
    check_layer_gradients(last, random_tensor({3, 5, 2}, 28), mask);
    LSTM single(2, true);
    check_layer_gradients(single, random_tensor({1, 2, 1}, 29), mask_from({{0, 1}}));
}

TEST_CASE("lstm: masking carries the state through padded steps, as Keras") {
    const int64_t B = 3, T = 5, D = 2, U = 3;
    const Tensor x = random_tensor({B, T, D}, 31);
    const Tensor mask = mask_from({{1, 1, 1, 0, 0}, {0, 0, 1, 1, 1}, {1, 0, 1, 1, 0}});
    LSTM lstm(U, true);
    lstm.set_seed(32);
    const Tensor y = lstm.forward(x, mask, false);
    const LSTMOutputs state = lstm.run(x, mask);

    // 1. Against the independent loop with the same rule.
    const LstmRef ref = lstm_reference(x, lstm, mask);
    check_near(y, ref.seq, 1e-5, "masked y");
    check_near(state.h, ref.h, 1e-5, "masked h");
    check_near(state.c, ref.c, 1e-5, "masked c");

    // 2. A padded step outputs the previous h exactly; leading padding outputs zeros.
    auto at = [&](int64_t b, int64_t t, int64_t u) { return y[(b * T + t) * U + u]; };
    for (int64_t u = 0; u < U; ++u) {
        CHECK(at(0, 3, u) == at(0, 2, u));
        CHECK(at(0, 4, u) == at(0, 2, u));
        CHECK(at(1, 0, u) == 0.0f);
        CHECK(at(1, 1, u) == 0.0f);
        CHECK(at(2, 1, u) == at(2, 0, u));
        CHECK(at(2, 4, u) == at(2, 3, u));
    }

    // 3. Row 0 (real steps 0..2) gives the same final state as the 3-step sequence alone.
    const Tensor prefix = slice(slice(x, 0, 0, 1), 1, 0, 3);
    const LSTMOutputs alone = lstm.run(prefix);
    for (int64_t u = 0; u < U; ++u) {
        CHECK(alone.h[u] == doctest::Approx(state.h[u]).epsilon(1e-6));
        CHECK(alone.c[u] == doctest::Approx(state.c[u]).epsilon(1e-6));
    }

    // 4. A mask of ones changes nothing, bit for bit.
    const LSTMOutputs plain = lstm.run(x);
    const LSTMOutputs ones = lstm.run(x, Tensor::ones({B, T}));
    CHECK(bit_identical(ones.y, plain.y));
    CHECK(bit_identical(ones.h, plain.h));
    CHECK(bit_identical(ones.c, plain.c));

    // 5. return_sequences passes the mask on; the last-step form consumes it.
    CHECK(lstm.compute_mask(x, mask).shares_storage(mask));
    CHECK_FALSE(LSTM(2).compute_mask(x, mask).defined());
}

TEST_CASE("lstm: config and bad input") {
    LSTM lstm(4, true, "tanh", "hard_sigmoid");
    // Every key Keras writes, in Keras' order.
    CHECK(layer_config_json(lstm) == nlohmann::ordered_json::parse(R"({
        "name": "lstm", "units": 4, "activation": "tanh", "recurrent_activation": "hard_sigmoid", "use_bias": true,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
        "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "unit_forget_bias": true,
        "dropout": 0.0, "recurrent_dropout": 0.0, "return_sequences": true, "return_state": false,
        "go_backwards": false, "stateful": false, "unroll": false})"));
    CHECK_THROWS_WITH_AS(LSTM(4, true, "softmax"),
                         "lstm: activation 'softmax' cannot be used in an LSTM; valid activations are: linear, relu, "
                         "sigmoid, hard_sigmoid, tanh",
                         ValueError);
    CHECK_THROWS_WITH_AS(lstm.forward(Tensor::zeros({2, 3})),
                         "lstm: expected input of shape (batch, steps, features), got (2, 3)", ShapeError);
    CHECK_THROWS_WITH_AS(lstm.forward(Tensor::zeros({2, 0, 3})),
                         "lstm: the input has no time steps (T = 0): shape (2, 0, 3)", ShapeError);
    lstm.forward(Tensor::zeros({2, 3, 3}));
    CHECK_THROWS_WITH_AS(lstm.forward(Tensor::zeros({2, 3, 1})),
                         "lstm: input has 1 features but the layer was built for 3, got input shape (2, 3, 1)",
                         ShapeError);
    CHECK_THROWS_WITH_AS(lstm.forward(Tensor::zeros({2, 3, 3}), Tensor::ones({2, 4}), false),
                         "lstm: the mask must have shape (2, 3) (batch, steps), got (2, 4)", ShapeError);
    CHECK_THROWS_WITH_AS(lstm.forward(Tensor::zeros({1, 2, 3}), mask_from({{1, 0.5f}}), false),
                         "lstm: mask values must be 0 or 1, got 0.5 at [0, 1]", ValueError);
    CHECK_THROWS_WITH_AS(LSTM(3, false, "tanh", "sigmod"),
                         "lstm: activation 'sigmod' cannot be used in an LSTM; valid activations are: linear, relu, "
                         "sigmoid, hard_sigmoid, tanh",
                         ValueError);
    CHECK_THROWS_WITH_AS(LSTM(-1), "lstm: units must be positive, got -1", ValueError);
    CHECK_THROWS_WITH_AS(LSTM(int64_t{1} << 62), "lstm: units must be at most 2^40, got 4611686018427387904", ValueError);
}

// ---------------------------------------------------------------------------------------------
// Attention

TEST_CASE("attention: forward and exposed values equal an independent double-precision loop") {
    uint64_t seed = 200;
    for (const char* score : {"luong", "bahdanau"})
        for (const Shape& shape : std::vector<Shape>{{1, 1, 1}, {3, 5, 2}, {2, 7, 4}}) {
            Attention att(3, score);
            att.set_seed(++seed);
            const Tensor h_s = random_tensor(shape, seed + 1000, -2.0f, 2.0f);
            const Tensor y = att.forward(h_s);
            const AttentionOutputs out = att.attend(h_s);
            const AttentionRef ref = attention_reference(h_s, att, Tensor());
            INFO(score << " on " << shape_str(shape));
            CHECK(y.shape() == Shape{shape[0], 3});
            check_near(y, ref.y, 1e-5, "y");
            CHECK(bit_identical(out.y, y));
            check_near(out.weights, ref.alpha, 1e-6, "alpha");
            check_near(out.scores, ref.score, 1e-5, "score");
            check_near(out.context, ref.context, 1e-5, "context");
            check_near(out.h_t, ref.h_t, 0, "h_t");
            const std::vector<Tensor> all = att.forward_all({h_s}, {}, false);  // {y}: no return_attention_scores
            REQUIRE(all.size() == 1);
            CHECK(bit_identical(all[0], y));
        }
}

TEST_CASE("attention: masked steps get exactly zero weight and h_t is the last real step") {
    const int64_t B = 3, T = 6, D = 3;
    const Tensor mask = mask_from({{1, 1, 1, 1, 0, 0}, {0, 0, 1, 1, 1, 1}, {1, 0, 1, 0, 1, 0}});
    for (const char* score : {"luong", "bahdanau"}) {
        INFO(score);
        Attention att(4, score);
        att.set_seed(41);
        Tensor h_s = random_tensor({B, T, D}, 42);
        h_s.requires_grad();
        tape::clear();
        att.build(h_s.shape());
        const AttentionOutputs out = att.attend(h_s, mask);
        const Tensor y = out.y;
        const Tensor alpha = out.weights;
        for (int64_t b = 0; b < B; ++b) {
            double total = 0;
            for (int64_t t = 0; t < T; ++t) {
                if (mask[b * T + t] == 0.0f) CHECK(alpha[b * T + t] == 0.0f);
                else CHECK(alpha[b * T + t] > 0.0f);
                total += alpha[b * T + t];
            }
            CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
        }
        const AttentionRef ref = attention_reference(h_s, att, mask);
        check_near(y, ref.y, 1e-5, "y");
        check_near(alpha, ref.alpha, 1e-6, "alpha");
        check_near(out.context, ref.context, 1e-5, "context");
        check_near(out.h_t, ref.h_t, 0, "h_t");  // rows' last real steps: 3, 5, 4

        // A padded step has no influence at all: its gradient is exactly zero.
        y.backward(random_tensor(y.shape(), 43));
        const Tensor g = h_s.grad();
        for (int64_t b = 0; b < B; ++b)
            for (int64_t t = 0; t < T; ++t)
                for (int64_t d = 0; d < D; ++d)
                    if (mask[b * T + t] == 0.0f) CHECK(g[(b * T + t) * D + d] == 0.0f);

        // A mask of ones is bit-identical to no mask.
        const AttentionOutputs plain = att.attend(h_s.detach());
        const AttentionOutputs ones = att.attend(h_s.detach(), Tensor::ones({B, T}));
        CHECK(bit_identical(ones.y, plain.y));
        CHECK(bit_identical(ones.weights, plain.weights));
        CHECK(bit_identical(ones.scores, plain.scores));
        CHECK(bit_identical(ones.context, plain.context));

        CHECK_FALSE(att.compute_mask(h_s, mask).defined());  // the time axis is gone
    }
}

TEST_CASE("attention: gradient check, both scores, B = 1 and T = 1, with a mask") {
    for (const char* score : {"luong", "bahdanau"}) {
        for (const Shape& shape : std::vector<Shape>{{1, 1, 2}, {1, 4, 3}, {3, 1, 2}, {2, 5, 3}}) {
            Attention att(3, score);
            att.set_seed(51);
            check_layer_gradients(att, random_tensor(shape, 52));
        }
        Attention masked(2, score);
        masked.set_seed(53);
        check_layer_gradients(masked, random_tensor({3, 5, 2}, 54),
                              mask_from({{1, 1, 1, 0, 0}, {0, 0, 1, 1, 1}, {1, 0, 0, 1, 0}}));
        Attention one_step(2, score);
        check_layer_gradients(one_step, random_tensor({2, 3, 2}, 55), mask_from({{0, 1, 0}, {1, 0, 0}}));
    }
}

TEST_CASE("attention: parameters, config and bad input") {
    Attention luong(5);
    luong.build({2, 4, 3});
    REQUIRE(luong.params().size() == 2);
    CHECK(luong.params()[0].name == "luong_w");
    CHECK(luong.params()[0].value.shape() == Shape{3, 3});
    CHECK(luong.params()[1].name == "attention_vector");
    CHECK(luong.params()[1].value.shape() == Shape{6, 5});
    Attention bahdanau(5, "bahdanau");
    bahdanau.build({2, 4, 3});
    std::vector<std::string> names;
    for (const auto& p : bahdanau.params()) names.push_back(p.name);
    CHECK(names == std::vector<std::string>{"bahdanau_w1", "bahdanau_w2", "bahdanau_v", "attention_vector"});
    CHECK(bahdanau.params()[2].value.shape() == Shape{3, 1});
    CHECK(layer_config_json(luong) == nlohmann::ordered_json({{"name", "attention"}, {"units", 5}, {"score", "luong"}}));
    CHECK(Attention().units() == 128);
    CHECK(Attention().score() == AttentionScore::luong);
    CHECK_THROWS_WITH_AS(Attention().attend(Tensor::zeros({2, 4, 3})),
                         "attention: attend needs a built layer (call forward or build first)", ValueError);

    CHECK_THROWS_WITH_AS(Attention(8, "dot"), "attention: unknown score 'dot'; valid scores are: luong, bahdanau",
                         ValueError);
    CHECK_THROWS_WITH_AS(luong.forward(Tensor::zeros({2, 3})),
                         "attention: expected input of shape (batch, steps, features), got (2, 3)", ShapeError);
    CHECK_THROWS_WITH_AS(luong.forward(Tensor::zeros({2, 4, 5})),
                         "attention: input has 5 features but the layer was built for 3, got input shape (2, 4, 5)",
                         ShapeError);
    CHECK_THROWS_WITH_AS(luong.forward(Tensor::zeros({2, 0, 3})),
                         "attention: the input has no time steps (T = 0): shape (2, 0, 3)", ShapeError);
    CHECK_THROWS_WITH_AS(luong.forward(Tensor::zeros({2, 2, 3}), mask_from({{1, 1}, {0, 0}}), false),
                         "attention: row 1 of the mask has no unmasked step to attend to", ValueError);
    CHECK_THROWS_WITH_AS(luong.forward(Tensor::zeros({2, 2, 3}), Tensor::ones({2, 3}), false),
                         "attention: the mask must have shape (2, 2) (batch, steps), got (2, 3)", ShapeError);
}

// ---------------------------------------------------------------------------------------------
// Registry

TEST_CASE("registry: every layer round-trips through its config") {
    std::vector<std::unique_ptr<Layer>> layers;
    layers.push_back(std::make_unique<Dense>(7, "sigmoid", false));
    layers.push_back(std::make_unique<LSTM>(5, true, "relu", "hard_sigmoid", false, false));
    layers.push_back(std::make_unique<Attention>(9, "bahdanau"));
    layers.push_back(std::make_unique<GRU>(6, true, "relu", "hard_sigmoid", false, false, true));
    layers.push_back(std::make_unique<Embedding>(30, 4, true));
    layers.push_back(std::make_unique<Dropout>(0.2));
    layers.push_back(std::make_unique<Softmax>(1));
    layers.push_back(std::make_unique<Masking>(-1.0f));
    layers.push_back(std::make_unique<TimeDistributed>(std::make_shared<Dense>(3, "relu")));
    for (auto& layer : layers) {
        layer->set_name(layer->name() + "_3");
        const auto copy = layer_from_json(layer->class_name(), layer_config_json(*layer));
        CHECK(copy->class_name() == layer->class_name());
        CHECK(layer_config_json(*copy) == layer_config_json(*layer));
        CHECK(copy->name() == layer->name());
    }
    CHECK(known_layer_classes() ==
          std::vector<std::string>{"Activation", "Add", "Attention", "Average", "Bidirectional", "Concatenate", "Dense",
                                   "Dot", "Dropout", "Embedding", "Flatten", "GRU", "LSTM", "Masking", "Multiply",
                                   "Permute", "RepeatVector", "Reshape", "Softmax", "Subtract", "TimeDistributed"});
}

TEST_CASE("registry: configs written by Keras / TensorFlow.js, with extra keys, load") {
    const nlohmann::ordered_json lstm_config = nlohmann::ordered_json::parse(R"({
        "name": "lstm_1", "trainable": true, "dtype": "float32", "batch_input_shape": [null, 20, 1],
        "return_sequences": true, "return_state": false, "go_backwards": false, "stateful": false,
        "unroll": false, "time_major": false, "units": 100, "activation": "tanh",
        "recurrent_activation": "hard_sigmoid", "use_bias": true,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
        "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "unit_forget_bias": true,
        "kernel_regularizer": null, "dropout": 0.0, "recurrent_dropout": 0.0, "implementation": 2})");
    const auto lstm = layer_from_json("LSTM", lstm_config);
    CHECK(lstm->name() == "lstm_1");
    const nlohmann::ordered_json lstm_read = layer_config_json(*lstm);
    CHECK(lstm_read.at("units") == 100);
    CHECK(lstm_read.at("recurrent_activation") == "hard_sigmoid");
    CHECK(lstm_read.at("return_sequences") == true);
    const auto dense = layer_from_json(
        "Dense", nlohmann::ordered_json::parse(R"({"name": "dense", "trainable": true, "dtype": "float32", "units": 1.0,
                                 "activation": "linear", "use_bias": true, "kernel_constraint": null})"));
    CHECK(layer_config_json(*dense).at("units") == 1);
    const auto att = layer_from_json("Attention", nlohmann::ordered_json::parse(R"({"name": "attention_weight", "trainable": true,
                                                                     "dtype": "float32", "units": 32})"));
    CHECK(layer_config_json(*att) == nlohmann::ordered_json({{"name", "attention_weight"}, {"units", 32}, {"score", "luong"}}));
    const auto emb = layer_from_json(
        "Embedding", nlohmann::ordered_json::parse(R"({"input_dim": 1000, "output_dim": 8, "input_length": 30,
                                     "embeddings_initializer": {"class_name": "RandomUniform", "config": {}}})"));
    CHECK(emb->name() == "embedding");
    const auto drop = layer_from_json("Dropout", nlohmann::ordered_json::parse(R"({"rate": 0.5, "noise_shape": null, "seed": null})"));
    CHECK(layer_config_json(*drop).at("rate") == 0.5);
}

TEST_CASE("registry: unknown classes, missing keys, wrong types and bad values are explained") {
    CHECK_THROWS_WITH_AS(layer_from_json("Conv2D", nlohmann::ordered_json::object()),
                         "layer registry: unknown layer class 'Conv2D'; known classes are: Activation, Add, "
                         "Attention, Average, Bidirectional, Concatenate, Dense, Dot, Dropout, Embedding, Flatten, GRU, "
                         "LSTM, Masking, Multiply, Permute, RepeatVector, Reshape, Softmax, Subtract, TimeDistributed",
                         ValueError);
    CHECK_THROWS_WITH_AS(layer_from_json("Dense", nlohmann::ordered_json::object()), "Dense config: missing required key 'units'",
                         ValueError);
    CHECK_THROWS_WITH_AS(layer_from_json("Dense", nlohmann::ordered_json::object({{"units", "8"}})),
                         "Dense config: 'units' must be an integer, got \"8\"", ValueError);
    CHECK_THROWS_WITH_AS(layer_from_json("Dense", nlohmann::ordered_json::object({{"units", 2.5}})),
                         "Dense config: 'units' must be an integer, got 2.5", ValueError);
    CHECK_THROWS_WITH_AS(layer_from_json("Dense", nlohmann::ordered_json::object({{"units", 8}, {"use_bias", "yes"}})),
                         "Dense config: 'use_bias' must be true or false, got \"yes\"", ValueError);
    CHECK_THROWS_WITH_AS(layer_from_json("Dense", nlohmann::ordered_json::object({{"units", 8}, {"activation", 3}})),
                         "Dense config: 'activation' must be a string, got 3", ValueError);
    CHECK_THROWS_WITH_AS(layer_from_json("Dense", nlohmann::ordered_json::object({{"units", -8}})),
                         "dense: units must be positive, got -8", ValueError);
    CHECK_THROWS_WITH_AS(layer_from_json("Dense", nlohmann::ordered_json::array()), "Dense config: must be a JSON object, got array",
                         ValueError);
    CHECK_THROWS_WITH_AS(layer_from_json("LSTM", nlohmann::ordered_json::object({{"units", 8}, {"go_backwards", true}})),
                         "LSTM config: 'go_backwards: true' is not supported by tapenet", ValueError);
    CHECK_THROWS_WITH_AS(layer_from_json("Attention", nlohmann::ordered_json::object({{"units", 8}, {"score", "general"}})),
                         "attention: unknown score 'general'; valid scores are: luong, bahdanau", ValueError);
    CHECK_THROWS_WITH_AS(layer_from_json("Dropout", nlohmann::ordered_json::object({{"rate", "0.5"}})),
                         "Dropout config: 'rate' must be a number, got \"0.5\"", ValueError);
    CHECK_THROWS_WITH_AS(layer_from_json("Dropout", nlohmann::ordered_json::object({{"rate", 1.5}})),
                         "dropout: rate must be in [0, 1), got 1.5", ValueError);
    const std::string keras_builtin = message_of<ValueError>(
        [] { layer_from_json("Attention", nlohmann::ordered_json::object({{"use_scale", false}, {"score_mode", "dot"}})); });
    CHECK(contains(keras_builtin, "Keras' built-in dot-product Attention"));
}

}  // namespace
}  // namespace tn
