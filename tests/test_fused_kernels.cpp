// The fused kernels (layers/lstm_kernel.h, layers/attention_kernel.h), checked three ways:
//   1. against the reference cases (tests/reference or TAPENET_REFERENCE_DIR): every output and
//      every gradient of L = sum(y * R) within 1e-5 + 1e-4 |ref|;
//   2. by finite differences on shapes with B = 1 and T = 1, with and without masks, for every
//      pair of LSTM activations (inputs drawn away from the kinks of relu and hard_sigmoid);
//   3. against the composed layers (layers/lstm.h, layers/attention.h): outputs and gradients
//      agree within 1e-5 on random inputs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/tape.h"
#include "layers/attention.h"
#include "layers/attention_kernel.h"
#include "layers/gru.h"
#include "layers/gru_kernel.h"
#include "layers/lstm.h"
#include "layers/lstm_kernel.h"
#include "tests/reference.h"
#include "tests/test_util.h"

namespace tn {
namespace {

using testing::check_close;
using testing::json;
using testing::load_case;
using testing::ref_tensor;
using testing::reference_cases;

const std::string kActivationNames[] = {"linear", "relu", "sigmoid", "hard_sigmoid", "tanh"};

Tensor random_tensor(Shape shape, Rng& rng, float lo = -1.0f, float hi = 1.0f) {
    return Tensor::uniform(std::move(shape), lo, hi, rng);
}

// A (B, T) mask with some padded steps at the start, the end and in the middle of rows, every row
// keeping its step `keep` (so attention always has a step to attend to).
Tensor random_mask(int64_t B, int64_t T, Rng& rng, int64_t keep) {
    Tensor m({B, T});
    for (int64_t i = 0; i < B * T; ++i) m[i] = rng.uniform() < 0.35f ? 0.0f : 1.0f;
    for (int64_t b = 0; b < B; ++b) m[b * T + keep] = 1.0f;
    return m;
}

// |a - b| <= tol (1 + |b|) for every element (float32 vs float32: both round differently).
void check_agree(const Tensor& a, const Tensor& b, const std::string& what, double tol = 1e-5) {
    INFO(what);
    REQUIRE(a.shape() == b.shape());
    double worst = 0;
    int64_t at = 0;
    for (int64_t i = 0; i < a.numel(); ++i) {
        const double excess = std::abs(double(a[i]) - b[i]) - tol * (1.0 + std::abs(double(b[i])));
        if (i == 0 || excess > worst) worst = excess, at = i;
    }
    CHECK_MESSAGE(worst <= 0, "element " << at << ": " << a[at] << " vs " << b[at]);
}

// ---------------------------------------------------------------------------------------------
// Distance from the kinks: the forward in double, recording how close any input of relu (kink at
// 0) or hard_sigmoid (kinks at +-2.5) comes to a kink. Finite differences across a kink are wrong.

double kink_distance_of(LstmActivation f, double z) {
    if (f == LstmActivation::relu) return std::abs(z);
    if (f == LstmActivation::hard_sigmoid) return std::min(std::abs(z - 2.5), std::abs(z + 2.5));
    return 1e30;
}

double apply(LstmActivation f, double z) {
    switch (f) {
        case LstmActivation::linear: return z;
        case LstmActivation::relu: return std::max(z, 0.0);
        case LstmActivation::sigmoid: return 1.0 / (1.0 + std::exp(-z));
        case LstmActivation::hard_sigmoid: return std::clamp(0.2 * z + 0.5, 0.0, 1.0);
        case LstmActivation::tanh: return std::tanh(z);
    }
    return z;
}

double lstm_kink_distance(const Tensor& x, const Tensor& k, const Tensor& rk, const Tensor& bias, const Tensor& mask,
                          LstmActivation act, LstmActivation rec) {
    const int64_t B = x.dim(0), T = x.dim(1), D = x.dim(2), U = rk.dim(0);
    double closest = 1e30;
    for (int64_t b = 0; b < B; ++b) {
        std::vector<double> h(size_t(U), 0.0), c(size_t(U), 0.0), z(size_t(4 * U));
        for (int64_t t = 0; t < T; ++t) {
            if (mask.defined() && mask[b * T + t] == 0.0f) continue;
            for (int64_t j = 0; j < 4 * U; ++j) {
                double s = bias.defined() ? bias[j] : 0.0;
                for (int64_t d = 0; d < D; ++d) s += double(x[(b * T + t) * D + d]) * k[d * 4 * U + j];
                for (int64_t u = 0; u < U; ++u) s += h[size_t(u)] * rk[u * 4 * U + j];
                z[size_t(j)] = s;
                closest = std::min(closest, kink_distance_of(j / U == 2 ? act : rec, s));
            }
            for (int64_t u = 0; u < U; ++u) {
                c[size_t(u)] = apply(rec, z[size_t(U + u)]) * c[size_t(u)] +
                               apply(rec, z[size_t(u)]) * apply(act, z[size_t(2 * U + u)]);
                // c is exactly 0 only where i g and f c_{t-1} are (relu gates firmly shut): it stays 0 nearby
                if (c[size_t(u)] != 0.0) closest = std::min(closest, kink_distance_of(act, c[size_t(u)]));
                h[size_t(u)] = apply(rec, z[size_t(3 * U + u)]) * apply(act, c[size_t(u)]);
            }
        }
    }
    return closest;
}

struct LstmInputs {
    Tensor x, kernel, recurrent_kernel, bias, mask;
};

// Random LSTM inputs whose activation inputs all stay farther than `margin` from a kink. Weights
// are smaller with an unbounded activation (linear, relu), with which h is a high-degree polynomial
// of the inputs that finite differences would follow poorly.
LstmInputs draw_lstm_inputs(int64_t B, int64_t T, int64_t D, int64_t U, bool with_bias, bool with_mask,
                            LstmActivation act, LstmActivation rec, Rng& rng, double margin = 0.05) {
    const auto unbounded = [](LstmActivation f) { return f == LstmActivation::linear || f == LstmActivation::relu; };
    const float w = unbounded(act) || unbounded(rec) ? 0.5f : 1.0f;
    for (int attempt = 0; attempt < 1000; ++attempt) {
        LstmInputs in{random_tensor({B, T, D}, rng, -1.5f, 1.5f), random_tensor({D, 4 * U}, rng, -w, w),
                      random_tensor({U, 4 * U}, rng, -w, w), with_bias ? random_tensor({4 * U}, rng) : Tensor(),
                      with_mask ? random_mask(B, T, rng, T - 1) : Tensor()};
        if (lstm_kink_distance(in.x, in.kernel, in.recurrent_kernel, in.bias, in.mask, act, rec) > margin) return in;
    }
    FAIL("no inputs away from the kinks in 1000 draws");
    return {};
}

// ---------------------------------------------------------------------------------------------
// 1. Reference cases

TEST_CASE("fused lstm_sequence: reference cases, outputs and all gradients") {
    const auto cases = reference_cases("lstm");
    REQUIRE(!cases.empty());
    for (const auto& name : cases) {
        const json doc = load_case(name);
        INFO("case " << name);
        if (doc.at("inputs").contains("h0")) continue;  // an initial state: the fused kernel starts from zeros
        const json& cfg = doc.at("config");
        Tensor x = ref_tensor(doc.at("inputs").at("x")).requires_grad();
        Tensor k = ref_tensor(doc.at("params").at("kernel")).requires_grad();
        Tensor rk = ref_tensor(doc.at("params").at("recurrent_kernel")).requires_grad();
        Tensor bias = doc.at("params").contains("bias") ? ref_tensor(doc.at("params").at("bias")).requires_grad() : Tensor();
        tape::clear();
        Tensor h_last, c_last;
        const Tensor y = lstm_sequence(x, k, rk, bias, Tensor(), lstm_activation_from_name(cfg.value("activation", "tanh")),
                                       lstm_activation_from_name(cfg.value("recurrent_activation", "sigmoid")),
                                       cfg.at("return_sequences").get<bool>(), &h_last, &c_last);
        CHECK(tape::size() == 1);  // the whole sequence is one tape entry
        double worst = check_close(y, doc.at("outputs").at("y"), "y");
        worst = std::max(worst, check_close(h_last, doc.at("outputs").at("h_last"), "h_last"));
        worst = std::max(worst, check_close(c_last, doc.at("outputs").at("c_last"), "c_last"));
        REQUIRE(doc.at("objective").at("of") == "y");
        y.backward(ref_tensor(doc.at("objective").at("R")));
        const json& g = doc.at("grads");
        worst = std::max(worst, check_close(x.grad(), g.at("inputs").at("x"), "dx"));
        worst = std::max(worst, check_close(k.grad(), g.at("params").at("kernel"), "d kernel"));
        worst = std::max(worst, check_close(rk.grad(), g.at("params").at("recurrent_kernel"), "d recurrent_kernel"));
        if (bias.defined()) worst = std::max(worst, check_close(bias.grad(), g.at("params").at("bias"), "d bias"));
        MESSAGE("fused lstm, reference case " << name << ": max abs error " << worst);
    }
}

TEST_CASE("fused attention_forward: reference cases, outputs and all gradients") {
    const auto cases = reference_cases("attention");
    REQUIRE(!cases.empty());
    for (const auto& name : cases) {
        const json doc = load_case(name);
        INFO("case " << name);
        const json& p = doc.at("params");
        const bool luong = doc.at("config").at("score") == "luong";
        Tensor h_s = ref_tensor(doc.at("inputs").at("h_s")).requires_grad();
        std::vector<std::string> names = luong ? std::vector<std::string>{"luong_w"}
                                               : std::vector<std::string>{"bahdanau_w1", "bahdanau_w2", "bahdanau_v"};
        names.push_back("attention_vector");
        std::vector<Tensor> w;
        for (const auto& n : names) w.push_back(ref_tensor(p.at(n)).requires_grad());
        const AttentionScoreParams score =
            luong ? AttentionScoreParams::luong(w[0]) : AttentionScoreParams::bahdanau(w[0], w[1], w[2]);
        tape::clear();
        AttentionIntermediates seen;
        const Tensor y = attention_forward(h_s, score, w.back(), Tensor(), &seen);
        CHECK(tape::size() == 1);
        const json& o = doc.at("outputs");
        double worst = check_close(y, o.at("y"), "y");
        worst = std::max(worst, check_close(seen.alpha, o.at("alpha"), "alpha"));
        worst = std::max(worst, check_close(seen.scores, o.at("score"), "score"));
        worst = std::max(worst, check_close(seen.context, o.at("context"), "context"));
        worst = std::max(worst, check_close(seen.h_t, o.at("h_t"), "h_t"));
        y.backward(ref_tensor(doc.at("objective").at("R")));
        worst = std::max(worst, check_close(h_s.grad(), doc.at("grads").at("inputs").at("h_s"), "d h_s"));
        for (size_t i = 0; i < names.size(); ++i)
            worst = std::max(worst, check_close(w[i].grad(), doc.at("grads").at("params").at(names[i]), "d " + names[i]));
        MESSAGE("fused attention, reference case " << name << ": max abs error " << worst);
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Finite differences

struct Dims {
    int64_t B, T, D, U;
};
const Dims kShapes[] = {{1, 1, 1, 1}, {1, 4, 2, 3}, {3, 1, 2, 2}, {2, 5, 3, 2}};

TEST_CASE("fused lstm_sequence: gradient check, every activation pair, B = 1 and T = 1, masks") {
    Rng rng(7);
    int checked = 0;
    for (const std::string& act_name : kActivationNames)
        for (const std::string& rec_name : kActivationNames) {
            const LstmActivation act = lstm_activation_from_name(act_name);
            const LstmActivation rec = lstm_activation_from_name(rec_name);
            for (const Dims& s : kShapes)
                for (int variant = 0; variant < 2; ++variant) {  // 0: no mask, y = all h_t; 1: mask, y = h_T
                    const bool masked = variant == 1, sequences = variant == 0, with_bias = (checked % 3) != 2;
                    const std::string label = act_name + "/" + rec_name + " " + shape_str({s.B, s.T, s.D, s.U}) +
                                              (masked ? " masked" : "") + (with_bias ? "" : " no bias");
                    INFO(label);
                    const LstmInputs in = draw_lstm_inputs(s.B, s.T, s.D, s.U, with_bias, masked, act, rec, rng);
                    std::vector<Tensor> inputs = {in.x, in.kernel, in.recurrent_kernel};
                    if (with_bias) inputs.push_back(in.bias);
                    const auto f = [&](const std::vector<Tensor>& v) {
                        return lstm_sequence(v[0], v[1], v[2], with_bias ? v[3] : Tensor(), in.mask, act, rec,
                                             sequences);
                    };
                    const GradcheckResult r = gradcheck(f, inputs);
                    INFO(r.report);
                    CHECK(r.ok);
                    ++checked;
                }
        }
    CHECK(checked == 5 * 5 * 4 * 2);
}

TEST_CASE("fused lstm_sequence: gradients flowing in through h_last and c_last") {
    Rng rng(8);
    const LstmActivation tanh_act = LstmActivation::tanh, sig = LstmActivation::sigmoid;
    const LstmInputs in = draw_lstm_inputs(3, 4, 2, 3, true, true, tanh_act, sig, rng);
    for (int which = 0; which < 2; ++which) {
        const auto f = [&](const std::vector<Tensor>& v) {
            Tensor h, c;
            lstm_sequence(v[0], v[1], v[2], v[3], in.mask, tanh_act, sig, true, &h, &c);
            return which == 0 ? h : c;
        };
        const GradcheckResult r = gradcheck(f, {in.x, in.kernel, in.recurrent_kernel, in.bias});
        INFO((std::string(which == 0 ? "h_last: " : "c_last: ") + r.report));
        CHECK(r.ok);
    }
}

TEST_CASE("fused attention_forward: gradient check, both scores, B = 1 and T = 1, masks") {
    Rng rng(9);
    for (const bool luong : {true, false})
        for (const Dims& s : kShapes)
            for (const bool masked : {false, true}) {
                const int64_t D = s.D, N = s.U + 1;
                const Tensor h_s = random_tensor({s.B, s.T, D}, rng, -1.5f, 1.5f);
                // keep a middle step: with masked trailing steps, h_t is not the last step
                const Tensor mask = masked ? random_mask(s.B, s.T, rng, s.T / 2) : Tensor();
                std::vector<Tensor> inputs = {h_s, random_tensor({D, D}, rng)};
                if (!luong) inputs.push_back(random_tensor({D, D}, rng)), inputs.push_back(random_tensor({D, 1}, rng));
                inputs.push_back(random_tensor({2 * D, N}, rng));
                const auto f = [&](const std::vector<Tensor>& v) {
                    const auto p = luong ? AttentionScoreParams::luong(v[1]) : AttentionScoreParams::bahdanau(v[1], v[2], v[3]);
                    return attention_forward(v[0], p, v.back(), mask);
                };
                const GradcheckResult r = gradcheck(f, inputs);
                INFO((std::string(luong ? "luong " : "bahdanau ") + shape_str({s.B, s.T, D}) +
                      (masked ? " masked: " : ": ") + r.report));
                CHECK(r.ok);
            }
}

// ---------------------------------------------------------------------------------------------
// 3. Fused against composed

TEST_CASE("fused vs composed LSTM: outputs, final state and every gradient agree within 1e-5") {
    Rng rng(10);
    int compared = 0;
    for (const std::string& act_name : kActivationNames)
        for (const std::string& rec_name : kActivationNames)
            for (const bool masked : {false, true}) {
                const Dims s = kShapes[compared % 4];
                const bool sequences = compared % 2 == 0, with_bias = compared % 3 != 1;
                ++compared;
                const LstmActivation act = lstm_activation_from_name(act_name);
                const LstmActivation rec = lstm_activation_from_name(rec_name);
                const LstmInputs in = draw_lstm_inputs(s.B, s.T, s.D, s.U, with_bias, masked, act, rec, rng, 1e-3);
                const std::string label = act_name + "/" + rec_name + " " + shape_str({s.B, s.T, s.D, s.U}) +
                                          (masked ? " masked" : "") + (sequences ? " sequences" : "") +
                                          (with_bias ? "" : " no bias");
                INFO(label);

                LSTM layer(s.U, sequences, act_name, rec_name, with_bias);
                layer.set_fused(false);  // the composed reference path
                layer.build(in.x.shape());
                std::vector<Tensor> weights = {in.kernel, in.recurrent_kernel};
                if (with_bias) weights.push_back(in.bias);
                layer.set_weights(weights);
                const Shape y_shape = sequences ? Shape{s.B, s.T, s.U} : Shape{s.B, s.U};
                const Tensor r_y = random_tensor(y_shape, rng), r_c = random_tensor({s.B, s.U}, rng);

                // Composed: L = sum(y r_y) + sum(c_T r_c)
                tape::clear();
                Tensor x1 = in.x.clone().requires_grad();
                for (Param& p : layer.params()) p.value.zero_grad();
                const LSTMOutputs st = layer.run(x1, in.mask);
                const Tensor y1b = st.y;
                (sum(y1b * r_y) + sum(st.c * r_c)).backward();

                // Fused, the same loss
                std::vector<Tensor> w2;
                for (const Tensor& w : weights) w2.push_back(w.clone().requires_grad());
                Tensor x2 = in.x.clone().requires_grad();
                Tensor h2, c2;
                const Tensor y2 = lstm_sequence(x2, w2[0], w2[1], with_bias ? w2[2] : Tensor(), in.mask, act, rec,
                                                sequences, &h2, &c2);
                (sum(y2 * r_y) + sum(c2 * r_c)).backward();

                check_agree(y2, y1b, "y");
                check_agree(h2, st.h, "h_last");
                check_agree(c2, st.c, "c_last");
                check_agree(x2.grad(), x1.grad(), "dx");
                for (size_t i = 0; i < w2.size(); ++i)
                    check_agree(w2[i].grad(), layer.params()[i].value.grad(), "d " + layer.params()[i].name);
            }
}

// A padded batch: row b real for `length` steps (1..T, in no order), post-padded (real steps first)
// or pre-padded (last); with `mixed`, every third row the other way.
Tensor padded_mask(int64_t B, int64_t T, bool post, bool mixed, Rng& rng) {
    Tensor m({B, T});
    for (int64_t b = 0; b < B; ++b) {
        const int64_t length = 1 + int64_t(rng.below(uint64_t(T)));
        const bool row_post = mixed && b % 3 == 0 ? !post : post;
        for (int64_t t = 0; t < T; ++t) m[b * T + t] = (row_post ? t < length : t >= T - length) ? 1.0f : 0.0f;
    }
    return m;
}

// The fused kernel runs only the real rows of a step when they come first in its row order (rows
// taken by their number of real steps): padded batches take that path, mixed ones partly.
TEST_CASE("fused vs composed LSTM on padded batches (rows skipped at padded steps): every gradient, h0, threads") {
    Rng rng(12);
    const int64_t B = 19, T = 7, U = 3;
    for (const int64_t D : {int64_t{1}, int64_t{2}})
        for (const bool post : {true, false})
            for (const bool mixed : {false, true})
                for (const bool sequences : {true, false})
                    for (const int threads : {1, 3}) {
                        INFO("D " << D << (post ? " post" : " pre") << (mixed ? " mixed" : "")
                                  << (sequences ? " sequences" : "") << ", " << threads << " threads");
                        const testing::ThreadCount count(threads);
                        const Tensor mask = padded_mask(B, T, post, mixed, rng);
                        const std::vector<Tensor> w = {random_tensor({D, 4 * U}, rng), random_tensor({U, 4 * U}, rng),
                                                       random_tensor({4 * U}, rng)};
                        const Tensor x = random_tensor({B, T, D}, rng), h0 = random_tensor({B, U}, rng),
                                     c0 = random_tensor({B, U}, rng);
                        const Tensor r_y = random_tensor(sequences ? Shape{B, T, U} : Shape{B, U}, rng),
                                     r_h = random_tensor({B, U}, rng), r_c = random_tensor({B, U}, rng);

                        LSTM layer(U, sequences);
                        layer.set_fused(false);
                        layer.build(x.shape());
                        layer.set_weights(w);
                        tape::clear();
                        Tensor x1 = x.clone().requires_grad(), h1 = h0.clone().requires_grad(),
                               c1 = c0.clone().requires_grad();
                        for (Param& p : layer.params()) p.value.zero_grad();
                        const LSTMOutputs st = layer.run(x1, mask, h1, c1);
                        (sum(st.y * r_y) + sum(st.h * r_h) + sum(st.c * r_c)).backward();

                        std::vector<Tensor> w2;
                        for (const Tensor& v : w) w2.push_back(v.clone().requires_grad());
                        Tensor x2 = x.clone().requires_grad(), h2 = h0.clone().requires_grad(),
                               c2 = c0.clone().requires_grad(), h_last, c_last;
                        const Tensor y2 = lstm_sequence(x2, w2[0], w2[1], w2[2], mask, LstmActivation::tanh,
                                                        LstmActivation::sigmoid, sequences, &h_last, &c_last, h2, c2);
                        (sum(y2 * r_y) + sum(h_last * r_h) + sum(c_last * r_c)).backward();

                        check_agree(y2, st.y, "y");
                        check_agree(h_last, st.h, "h_last");
                        check_agree(c_last, st.c, "c_last");
                        check_agree(x2.grad(), x1.grad(), "dx");
                        check_agree(h2.grad(), h1.grad(), "d h0");
                        check_agree(c2.grad(), c1.grad(), "d c0");
                        for (size_t i = 0; i < w2.size(); ++i)
                            check_agree(w2[i].grad(), layer.params()[i].value.grad(), "d " + layer.params()[i].name);
                        // and without a gradient (the inference path), the same outputs
                        NoGrad no_grad;
                        Tensor h3, c3;
                        const Tensor y3 = lstm_sequence(x, w[0], w[1], w[2], mask, LstmActivation::tanh,
                                                        LstmActivation::sigmoid, sequences, &h3, &c3, h0, c0);
                        CHECK(testing::same_bits(y3, y2));
                        CHECK(testing::same_bits(c3, c_last));
                    }
}

// The same for the fused GRU, both reset forms: against the composed layer, and without a gradient
// (the inference path) the same outputs bit for bit.
TEST_CASE("fused vs composed GRU on padded batches (rows skipped at padded steps): every gradient, h0, threads") {
    Rng rng(13);
    const int64_t B = 19, T = 7, U = 3;
    int seed = 0;
    for (const bool reset_after : {true, false})
        for (const int64_t D : {int64_t{1}, int64_t{2}})
            for (const bool post : {true, false})
                for (const bool mixed : {false, true})
                    for (const bool sequences : {true, false})
                        for (const int threads : {1, 3}) {
                            INFO("reset_after " << reset_after << ", D " << D << (post ? " post" : " pre")
                                                << (mixed ? " mixed" : "") << (sequences ? " sequences" : "") << ", "
                                                << threads << " threads");
                            const testing::ThreadCount count(threads);
                            const Tensor mask = padded_mask(B, T, post, mixed, rng);
                            const Tensor x = random_tensor({B, T, D}, rng), h0 = random_tensor({B, U}, rng);
                            const Tensor r_y = random_tensor(sequences ? Shape{B, T, U} : Shape{B, U}, rng),
                                         r_h = random_tensor({B, U}, rng);
                            GRU layer(U, sequences, "tanh", "sigmoid", true, reset_after);
                            layer.set_seed(uint64_t(++seed));
                            layer.build(x.shape());

                            std::vector<Tensor> grads[2], outs[2];
                            for (const bool fused : {false, true}) {
                                layer.set_fused(fused);
                                tape::clear();
                                for (Param& p : layer.params()) p.value.zero_grad();
                                Tensor xi = x.clone().requires_grad(), h0i = h0.clone().requires_grad();
                                const GRUOutputs o = layer.run(xi, mask, h0i);
                                (sum(o.y * r_y) + sum(o.h * r_h)).backward();
                                outs[fused] = {o.y.detach(), o.h.detach()};
                                grads[fused] = {xi.grad(), h0i.grad()};
                                for (const Param& p : layer.params()) grads[fused].push_back(p.value.grad().clone());
                            }
                            check_agree(outs[1][0], outs[0][0], "y");
                            check_agree(outs[1][1], outs[0][1], "h_last");
                            check_agree(grads[1][0], grads[0][0], "dx");
                            check_agree(grads[1][1], grads[0][1], "d h0");
                            for (size_t i = 2; i < grads[0].size(); ++i)
                                check_agree(grads[1][i], grads[0][i], "d " + layer.params()[i - 2].name);
                            NoGrad no_grad;
                            Tensor h3;
                            std::vector<Tensor> w;
                            for (const Param& p : layer.params()) w.push_back(p.value.detach());
                            const Tensor y3 = gru_sequence(x, w[0], w[1], w[2], mask, h0, reset_after, LstmActivation::tanh,
                                                           LstmActivation::sigmoid, sequences, &h3);
                            CHECK(testing::same_bits(y3, outs[1][0]));
                            CHECK(testing::same_bits(h3, outs[1][1]));
                        }
}

TEST_CASE("fused vs composed Attention: outputs, exposed values and every gradient agree within 1e-5") {
    Rng rng(11);
    for (const std::string score : {"luong", "bahdanau"})
        for (const Dims& s : kShapes)
            for (const bool masked : {false, true}) {
                const int64_t D = s.D + 1, N = s.U + 2;
                INFO((score + " " + shape_str({s.B, s.T, D}) + (masked ? " masked" : "")));
                Attention layer(N, score);
                layer.set_fused(false);  // the composed reference path
                layer.set_seed(rng.next_u64());
                layer.build({s.B, s.T, D});
                const Tensor h_s = random_tensor({s.B, s.T, D}, rng, -1.5f, 1.5f);
                const Tensor mask = masked ? random_mask(s.B, s.T, rng, 0) : Tensor();
                const Tensor r = random_tensor({s.B, N}, rng);

                tape::clear();
                Tensor x1 = h_s.clone().requires_grad();
                const AttentionOutputs composed = layer.attend(x1, mask);
                const Tensor y1 = composed.y;
                sum(y1 * r).backward();

                std::vector<Tensor> w;
                for (const Param& p : layer.params()) w.push_back(p.value.clone().requires_grad());
                const bool luong = score == "luong";
                Tensor x2 = h_s.clone().requires_grad();
                AttentionIntermediates seen;
                const Tensor y2 = attention_forward(
                    x2, luong ? AttentionScoreParams::luong(w[0]) : AttentionScoreParams::bahdanau(w[0], w[1], w[2]),
                    w.back(), mask, &seen);
                sum(y2 * r).backward();

                check_agree(y2, y1, "y");
                check_agree(seen.alpha, composed.weights, "alpha");
                check_agree(seen.scores, composed.scores, "scores");
                check_agree(seen.context, composed.context, "context");
                check_agree(seen.h_t, composed.h_t, "h_t");
                check_agree(x2.grad(), x1.grad(), "d h_s");
                for (size_t i = 0; i < w.size(); ++i)
                    check_agree(w[i].grad(), layer.params()[i].value.grad(), "d " + layer.params()[i].name);
            }
}

// ---------------------------------------------------------------------------------------------
// Behaviour

TEST_CASE("fused kernels: masked steps, no recording under NoGrad, bad input") {
    Rng rng(12);
    const LstmInputs in = draw_lstm_inputs(2, 3, 2, 2, true, false, LstmActivation::tanh, LstmActivation::sigmoid, rng);
    // A fully padded row keeps the zero state; a padded last step repeats the previous output.
    const Tensor mask = Tensor::from_vector({0, 0, 0, 1, 1, 0}, {2, 3});
    const Tensor y = lstm_sequence(in.x, in.kernel, in.recurrent_kernel, in.bias, mask, LstmActivation::tanh,
                                   LstmActivation::sigmoid, true);
    for (int64_t k = 0; k < 6; ++k) CHECK(y[k] == 0.0f);  // row 0
    for (int64_t u = 0; u < 2; ++u) {
        CHECK(y[6 + 2 + u] != 0.0f);
        CHECK(y[6 + 4 + u] == y[6 + 2 + u]);  // row 1, step 2 repeats step 1
    }
    {
        Tensor k = in.kernel.clone().requires_grad();
        NoGrad no_grad;
        tape::clear();
        lstm_sequence(in.x, k, in.recurrent_kernel, in.bias, Tensor(), LstmActivation::tanh, LstmActivation::sigmoid, true);
        attention_forward(y, AttentionScoreParams::luong(Tensor::ones({2, 2})), Tensor::ones({4, 3}), Tensor());
        CHECK(tape::size() == 0);
    }

    const auto lstm = [&](const Tensor& x, const Tensor& k, const Tensor& rk, const Tensor& b, const Tensor& m) {
        lstm_sequence(x, k, rk, b, m, LstmActivation::tanh, LstmActivation::sigmoid, false);
    };
    CHECK_THROWS_AS(lstm(Tensor({2, 3}), in.kernel, in.recurrent_kernel, in.bias, Tensor()), ShapeError);
    CHECK_THROWS_AS(lstm(in.x, Tensor({3, 8}), in.recurrent_kernel, in.bias, Tensor()), ShapeError);
    CHECK_THROWS_AS(lstm(in.x, in.kernel, Tensor({2, 6}), in.bias, Tensor()), ShapeError);
    CHECK_THROWS_AS(lstm(in.x, in.kernel, in.recurrent_kernel, Tensor({7}), Tensor()), ShapeError);
    CHECK_THROWS_AS(lstm(in.x, in.kernel, in.recurrent_kernel, in.bias, Tensor({3, 2})), ShapeError);
    CHECK_THROWS_AS(lstm(in.x, in.kernel, in.recurrent_kernel, in.bias, Tensor::full({2, 3}, 0.5f)), ValueError);
    CHECK_THROWS_WITH_AS(lstm_activation_from_name("softmax"),
                         doctest::Contains("valid activations are: linear, relu, sigmoid, hard_sigmoid, tanh"),
                         ValueError);

    const Tensor h_s = random_tensor({2, 3, 2}, rng);
    const Tensor wc = random_tensor({4, 3}, rng);
    const auto luong = AttentionScoreParams::luong(random_tensor({2, 2}, rng));
    CHECK_THROWS_AS(attention_forward(Tensor({2, 3}), luong, wc, Tensor()), ShapeError);
    CHECK_THROWS_AS(attention_forward(h_s, luong, Tensor({2, 3}), Tensor()), ShapeError);
    CHECK_THROWS_AS(attention_forward(h_s, AttentionScoreParams::luong(Tensor({3, 3})), wc, Tensor()), ShapeError);
    CHECK_THROWS_AS(attention_forward(h_s, AttentionScoreParams::bahdanau(Tensor({2, 2}), Tensor({2, 2}), Tensor({1, 2})),
                                      wc, Tensor()),
                    ShapeError);
    CHECK_THROWS_WITH_AS(attention_forward(h_s, luong, wc, Tensor::from_vector({1, 0, 1, 0, 0, 0}, {2, 3})),
                         doctest::Contains("row 1 of the mask has no unmasked step"), ValueError);
}

}  // namespace
}  // namespace tn
