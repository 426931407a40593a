// Every op: a forward test with hand-checked values and a finite-difference gradient check
// (core/gradcheck.h: central differences with h = 1e-2, rtol 1e-3, atol 1e-4).
#include <cmath>

#include <doctest/doctest.h>

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/rng.h"
#include "core/tape.h"

using namespace tn;

namespace {

Tensor T(std::vector<float> v, Shape s) { return Tensor::from_vector(std::move(v), std::move(s)); }

void check_values(const Tensor& got, std::vector<float> want, Shape shape, float tol = 1e-6f) {
    REQUIRE(got.shape() == shape);
    REQUIRE(got.numel() == static_cast<int64_t>(want.size()));
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("element " << i);
        CHECK(got[static_cast<int64_t>(i)] == doctest::Approx(want[i]).epsilon(tol).scale(1.0));
    }
}

// Random values in [lo, hi) with |x| >= gap, to keep kinked ops away from their kinks.
Tensor rnd(Shape s, uint64_t seed, float lo = -1.0f, float hi = 1.0f, float gap = 0.0f) {
    Rng rng(seed);
    Tensor t(std::move(s));
    for (int64_t i = 0; i < t.numel(); ++i) {
        float v = rng.uniform(lo, hi);
        while (std::fabs(v) < gap) v = rng.uniform(lo, hi);
        t[i] = v;
    }
    return t;
}

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

void check_grad(const Fn& f, std::vector<Tensor> inputs) {
    const GradcheckResult r = gradcheck(f, std::move(inputs));
    INFO(r.report);
    CHECK(r.ok);
    CHECK(r.max_rel_err < 1e-3);
    CHECK(tape::size() == 0);
}

}  // namespace

TEST_CASE("add, sub, mul, div: values with broadcasting") {
    const Tensor a = T({1, 2, 3, 4, 5, 6}, {2, 3});
    const Tensor row = T({10, 20, 30}, {3});
    const Tensor col = T({2, 4}, {2, 1});
    check_values(add(a, row), {11, 22, 33, 14, 25, 36}, {2, 3});
    check_values(sub(a, col), {-1, 0, 1, 0, 1, 2}, {2, 3});
    check_values(mul(a, col), {2, 4, 6, 16, 20, 24}, {2, 3});
    check_values(div(a, row), {0.1f, 0.1f, 0.1f, 0.4f, 0.25f, 0.2f}, {2, 3});
    check_values(add(col, row), {12, 22, 32, 14, 24, 34}, {2, 3});  // both stretch
    check_values(mul(a, Tensor::scalar(2)), {2, 4, 6, 8, 10, 12}, {2, 3});
    CHECK_THROWS_WITH_AS(add(a, T({1, 2}, {2})), "add: shapes cannot be broadcast together: (2, 3) and (2,)",
                         ShapeError);
}

TEST_CASE("binary ops: gradients, same shape and broadcast") {
    const Tensor a = rnd({2, 3, 4}, 1), b = rnd({2, 3, 4}, 2), row = rnd({4}, 3), mid = rnd({3, 1}, 4);
    const Tensor pos = rnd({3, 1}, 5, 0.5f, 2.0f);
    check_grad([](auto& v) { return add(v[0], v[1]); }, {a, b});
    check_grad([](auto& v) { return add(v[0], v[1]); }, {a, row});
    check_grad([](auto& v) { return sub(v[0], v[1]); }, {a, mid});
    check_grad([](auto& v) { return sub(v[1], v[0]); }, {a, row});
    check_grad([](auto& v) { return mul(v[0], v[1]); }, {a, b});
    check_grad([](auto& v) { return mul(v[0], v[1]); }, {a, mid});
    check_grad([](auto& v) { return div(v[0], v[1]); }, {a, pos});
    check_grad([](auto& v) { return div(v[1], v[0]); }, {rnd({2, 3, 4}, 6, 0.5f, 2.0f), row});
}

TEST_CASE("scalar ops: neg, add_scalar, mul_scalar, pow_scalar") {
    const Tensor x = T({1, -2, 4}, {3});
    check_values(neg(x), {-1, 2, -4}, {3});
    check_values(x + 1.5f, {2.5f, -0.5f, 5.5f}, {3});
    check_values(3.0f * x, {3, -6, 12}, {3});
    check_values(2.0f - x, {1, 4, -2}, {3});
    check_values(pow_scalar(T({4, 9}, {2}), 0.5f), {2, 3}, {2});
    const Tensor r = rnd({3, 2}, 7);
    check_grad([](auto& v) { return neg(v[0]); }, {r});
    check_grad([](auto& v) { return add_scalar(v[0], 0.3f); }, {r});
    check_grad([](auto& v) { return mul_scalar(v[0], -2.5f); }, {r});
    check_grad([](auto& v) { return pow_scalar(v[0], 3.0f); }, {r});
    check_grad([](auto& v) { return pow_scalar(v[0], -0.5f); }, {rnd({3, 2}, 8, 0.5f, 2.0f)});
}

TEST_CASE("unary math: values") {
    const Tensor x = T({0.0f, 1.0f, -2.0f}, {3});
    check_values(exp(x), {1.0f, 2.7182817f, 0.13533528f}, {3});
    check_values(log(T({1.0f, 2.7182817f, 0.5f}, {3})), {0.0f, 1.0f, -0.6931472f}, {3});
    check_values(tanh(x), {0.0f, 0.7615942f, -0.9640276f}, {3});
    check_values(sigmoid(x), {0.5f, 0.7310586f, 0.11920292f}, {3});
    check_values(hard_sigmoid(T({-3.0f, 0.0f, 1.0f, 3.0f}, {4})), {0.0f, 0.5f, 0.7f, 1.0f}, {4});
    check_values(relu(x), {0, 1, 0}, {3});
    check_values(abs(x), {0, 1, 2}, {3});
    check_values(sqrt(T({4, 0.25f}, {2})), {2, 0.5f}, {2});
    check_values(clip(T({-1, 0.5f, 2}, {3}), 0, 1), {0, 0.5f, 1}, {3});
    // extremes stay finite and saturate
    check_values(sigmoid(T({-100.0f, 100.0f}, {2})), {0.0f, 1.0f}, {2});
    check_values(tanh(T({-30.0f, 30.0f}, {2})), {-1.0f, 1.0f}, {2});
}

TEST_CASE("unary math: gradients") {
    const Tensor x = rnd({3, 4}, 11, -2.0f, 2.0f);
    const Tensor pos = rnd({3, 4}, 12, 0.3f, 3.0f);
    const Tensor away = rnd({3, 4}, 13, -2.0f, 2.0f, 0.05f);  // away from the kinks at 0
    check_grad([](auto& v) { return exp(v[0]); }, {x});
    check_grad([](auto& v) { return log(v[0]); }, {pos});
    check_grad([](auto& v) { return tanh(v[0]); }, {x});
    check_grad([](auto& v) { return sigmoid(v[0]); }, {x});
    check_grad([](auto& v) { return relu(v[0]); }, {away});
    check_grad([](auto& v) { return abs(v[0]); }, {away});
    check_grad([](auto& v) { return sqrt(v[0]); }, {pos});
    // kinks of hard_sigmoid at +-2.5 and of clip at +-0.5: inputs kept away from them
    check_grad([](auto& v) { return hard_sigmoid(v[0]); }, {T({-3.0f, -1.0f, 0.2f, 2.0f, 3.5f}, {5})});
    check_grad([](auto& v) { return clip(v[0], -0.5f, 0.5f); }, {T({-0.9f, -0.3f, 0.1f, 0.4f, 0.8f}, {5})});
}

TEST_CASE("abs and relu: gradient at exactly 0 is 0") {
    Tensor x = T({0.0f, 0.0f}, {2});
    x.requires_grad();
    sum(abs(x) + relu(x)).backward();
    CHECK(x.grad()[0] == 0.0f);
}

TEST_CASE("softmax and log_softmax: values, stability, gradients") {
    const Tensor x = T({1, 2, 3, 1000, 1000, 1000}, {2, 3});
    const float e1 = std::exp(1.0f), e2 = std::exp(2.0f), e3 = std::exp(3.0f), s = e1 + e2 + e3;
    check_values(softmax(x), {e1 / s, e2 / s, e3 / s, 1 / 3.0f, 1 / 3.0f, 1 / 3.0f}, {2, 3});
    check_values(log_softmax(x), {std::log(e1 / s), std::log(e2 / s), std::log(e3 / s), -std::log(3.0f),
                                  -std::log(3.0f), -std::log(3.0f)},
                 {2, 3}, 1e-5f);
    check_values(softmax(T({0, 2, 0, 2}, {2, 2}), 0), {0.5f, 0.5f, 0.5f, 0.5f}, {2, 2});
    const Tensor r = rnd({2, 3, 4}, 21, -2.0f, 2.0f);
    check_grad([](auto& v) { return softmax(v[0], -1); }, {r});
    check_grad([](auto& v) { return softmax(v[0], 1); }, {r});
    check_grad([](auto& v) { return log_softmax(v[0], -1); }, {r});
    check_grad([](auto& v) { return log_softmax(v[0], 0); }, {r});
}

TEST_CASE("matmul: 2-D, transposed flags, batched 3-D, 3-D @ 2-D") {
    const Tensor a = T({1, 2, 3, 4, 5, 6}, {2, 3});
    const Tensor b = T({1, 0, 0, 1, 1, 1}, {3, 2});
    check_values(matmul(a, b), {4, 5, 10, 11}, {2, 2});
    check_values(matmul(a, a, false, true), {14, 32, 32, 77}, {2, 2});  // a aᵀ
    check_values(matmul(a, a, true, false), {17, 22, 27, 22, 29, 36, 27, 36, 45}, {3, 3});  // aᵀ a
    check_values(matmul(b, a, true, true), {4, 10, 5, 11}, {2, 2});  // bᵀ aᵀ = (a b)ᵀ
    const Tensor a3 = T({1, 2, 3, 4, 5, 6, 1, 0, 0, 1, 0, 0}, {2, 2, 3});
    const Tensor b3 = T({1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 0, 0}, {2, 3, 2});
    check_values(matmul(a3, b3), {4, 5, 10, 11, 2, 0, 2, 0}, {2, 2, 2});
    check_values(matmul(a3, b), {4, 5, 10, 11, 1, 0, 1, 0}, {2, 2, 2});
}

TEST_CASE("matmul: gradients for every layout") {
    const Tensor a = rnd({3, 4}, 31), b = rnd({4, 5}, 32), bt = rnd({5, 4}, 33), at = rnd({4, 3}, 34);
    const Tensor a3 = rnd({2, 3, 4}, 35), b3 = rnd({2, 4, 5}, 36), a3t = rnd({2, 4, 3}, 37), b3t = rnd({2, 5, 4}, 38);
    check_grad([](auto& v) { return matmul(v[0], v[1]); }, {a, b});
    check_grad([](auto& v) { return matmul(v[0], v[1], false, true); }, {a, bt});
    check_grad([](auto& v) { return matmul(v[0], v[1], true, false); }, {at, b});
    check_grad([](auto& v) { return matmul(v[0], v[1], true, true); }, {at, bt});
    check_grad([](auto& v) { return matmul(v[0], v[1]); }, {a3, b3});
    check_grad([](auto& v) { return matmul(v[0], v[1], true, true); }, {a3t, b3t});
    check_grad([](auto& v) { return matmul(v[0], v[1]); }, {a3, b});
    check_grad([](auto& v) { return matmul(v[0], v[1], true, false); }, {a3t, b});
}

TEST_CASE("matmul: a transposed tensor (materialised) behaves like the flag") {
    const Tensor a = rnd({4, 3}, 41), b = rnd({4, 5}, 42);
    const Tensor via_transpose = matmul(transpose(a), b);
    const Tensor via_flag = matmul(a, b, true, false);
    for (int64_t i = 0; i < via_flag.numel(); ++i) CHECK(via_transpose[i] == doctest::Approx(via_flag[i]));
    check_grad([](auto& v) { return matmul(transpose(v[0]), v[1]); }, {a, b});
}

TEST_CASE("matmul: wrong shapes name both shapes") {
    CHECK_THROWS_WITH_AS(matmul(Tensor({2, 3}), Tensor({4, 5})), "matmul: inner dimensions differ: (2, 3) @ (4, 5)",
                         ShapeError);
    CHECK_THROWS_WITH_AS(matmul(Tensor({2, 2, 3}), Tensor({3, 3, 4})),
                         "matmul: batch sizes differ: (2, 2, 3) @ (3, 3, 4)", ShapeError);
    CHECK_THROWS_AS(matmul(Tensor({3}), Tensor({3, 1})), ShapeError);
}

TEST_CASE("reshape is a free view; transpose copies") {
    const Tensor x = T({1, 2, 3, 4, 5, 6}, {2, 3});
    const Tensor r = reshape(x, {3, -1});
    CHECK(r.shape() == Shape{3, 2});
    CHECK(r.shares_storage(x));
    check_values(transpose(x), {1, 4, 2, 5, 3, 6}, {3, 2});
    const Tensor x3 = T({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {2, 3, 2});
    check_values(transpose(x3, 0, 1), {0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11}, {3, 2, 2});
    check_values(transpose(x3), {0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11}, {2, 2, 3});
    CHECK_THROWS_WITH_AS(reshape(x, {4, 2}), "reshape: cannot view (2, 3) as (4, 2) (element counts differ)",
                         ShapeError);
    const Tensor r3 = rnd({2, 3, 4}, 51);
    check_grad([](auto& v) { return reshape(v[0], {6, 4}) * 2.0f; }, {r3});
    check_grad([](auto& v) { return transpose(v[0], 0, 2); }, {r3});
    check_grad([](auto& v) { return transpose(v[0]); }, {r3});
}

TEST_CASE("slice, select, concat, stack") {
    const Tensor x = T({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {2, 3, 2});
    check_values(slice(x, 1, 1, 3), {2, 3, 4, 5, 8, 9, 10, 11}, {2, 2, 2});
    check_values(select(x, 1, -1), {4, 5, 10, 11}, {2, 2});
    check_values(select(x, 2, 0), {0, 2, 4, 6, 8, 10}, {2, 3});
    const Tensor a = T({1, 2, 3, 4}, {2, 2}), b = T({5, 6}, {2, 1});
    check_values(concat({a, b}, 1), {1, 2, 5, 3, 4, 6}, {2, 3});
    check_values(concat({a, a}, 0), {1, 2, 3, 4, 1, 2, 3, 4}, {4, 2});
    check_values(stack({a, a * 2.0f}, 0), {1, 2, 3, 4, 2, 4, 6, 8}, {2, 2, 2});
    check_values(stack({a, a * 2.0f}, 2), {1, 2, 2, 4, 3, 6, 4, 8}, {2, 2, 2});
    CHECK_THROWS_WITH_AS(slice(x, 1, 2, 4), "slice: range [2, 4) is outside axis 1 of (2, 3, 2)", ShapeError);
    CHECK_THROWS_WITH_AS(concat({a, T({1, 2, 3}, {1, 3})}, 0),
                         "concat: shapes differ outside axis 0: (2, 2) and (1, 3)", ShapeError);
    const Tensor r = rnd({2, 3, 4}, 61), q = rnd({2, 2, 4}, 62);
    check_grad([](auto& v) { return slice(v[0], 1, 1, 3); }, {r});
    check_grad([](auto& v) { return select(v[0], 2, 3); }, {r});
    check_grad([](auto& v) { return concat({v[0], v[1]}, 1); }, {r, q});
    check_grad([](auto& v) { return stack({v[0], v[0] * v[0]}, 1); }, {r});
}

TEST_CASE("sum, mean, max: whole and along an axis") {
    const Tensor x = T({1, 5, 3, 4, 2, 6}, {2, 3});
    CHECK(sum(x).item() == 21);
    CHECK(mean(x).item() == 3.5f);
    check_values(sum(x, 0), {5, 7, 9}, {3});
    check_values(sum(x, 1, true), {9, 12}, {2, 1});
    check_values(mean(x, -1), {3, 4}, {2});
    check_values(max(x, 1), {5, 6}, {2});
    check_values(max(x, 0, true), {4, 5, 6}, {1, 3});
    const Tensor r = rnd({2, 3, 4}, 71);
    check_grad([](auto& v) { return sum(v[0]); }, {r});
    check_grad([](auto& v) { return mean(v[0]); }, {r});
    check_grad([](auto& v) { return sum(v[0], 1); }, {r});
    check_grad([](auto& v) { return mean(v[0], 2, true); }, {r});
    check_grad([](auto& v) { return max(v[0], 1); }, {r});  // random values: no ties
    check_grad([](auto& v) { return max(v[0], -1, true); }, {r});
}

TEST_CASE("max: a tie sends the gradient to the first maximum only") {
    Tensor x = T({2, 2, 1}, {3});
    x.requires_grad();
    sum(max(x, 0)).backward();
    check_values(x.grad(), {1, 0, 0}, {3});
}

TEST_CASE("gather_rows: lookup, scatter-add backward, bad indices") {
    const Tensor table = T({0, 1, 10, 11, 20, 21}, {3, 2});
    const Tensor idx = T({2, 0, 2}, {1, 3});
    check_values(gather_rows(table, idx), {20, 21, 0, 1, 20, 21}, {1, 3, 2});
    Tensor tbl = table.clone();
    tbl.requires_grad();
    sum(gather_rows(tbl, idx) * T({1, 2, 3, 4, 5, 6}, {1, 3, 2})).backward();
    check_values(tbl.grad(), {3, 4, 0, 0, 6, 8}, {3, 2});  // row 2 used twice: 1+5, 2+6
    CHECK_THROWS_WITH_AS(gather_rows(table, T({3}, {1})),
                         "gather_rows: index 3.000000 at position 0 is not an integer in [0, 3)", ValueError);
    CHECK_THROWS_AS(gather_rows(table, T({0.5f}, {1})), ValueError);
    check_grad([&](auto& v) { return gather_rows(v[0], idx); }, {rnd({3, 2}, 81)});
}

TEST_CASE("dropout: inverted scaling, seeded, gradient through the mask") {
    Rng rng(5);
    const Tensor x = Tensor::ones({1000});
    const Tensor y = dropout(x, 0.25f, rng);
    int kept = 0;
    for (int64_t i = 0; i < y.numel(); ++i) {
        CHECK((y[i] == 0.0f || y[i] == doctest::Approx(1.0f / 0.75f)));
        kept += y[i] != 0.0f;
    }
    CHECK(kept > 700);
    CHECK(kept < 800);
    Rng again(5);
    const Tensor y2 = dropout(x, 0.25f, again);
    CHECK(y2.to_vector() == y.to_vector());
    CHECK_THROWS_WITH_AS(dropout(x, 1.0f, rng), "dropout: rate must be in [0, 1), got 1.000000", ValueError);
    // A fixed mask makes dropout deterministic, so it can be gradient-checked.
    const Tensor mask = T({0, 2, 2, 0, 2, 2}, {2, 3});
    check_values(mask_mul(T({1, 2, 3, 4, 5, 6}, {2, 3}), mask), {0, 4, 6, 0, 10, 12}, {2, 3});
    check_grad([&](auto& v) { return mask_mul(v[0], mask); }, {rnd({2, 3}, 91)});
}
