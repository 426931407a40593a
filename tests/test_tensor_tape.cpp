// The Tensor handle, the Rng and the tape: sharing, creation helpers, recording rules, memory.
#include <sstream>

#include <doctest/doctest.h>

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/rng.h"
#include "core/tape.h"

using namespace tn;

TEST_CASE("tensor: creation helpers and element access") {
    Tensor z = Tensor::zeros({2, 3});
    CHECK(z.numel() == 6);
    CHECK(z.ndim() == 2);
    CHECK(z.dim(-1) == 3);
    CHECK(Tensor::ones({2})[1] == 1.0f);
    CHECK(Tensor::full({2, 2}, 7.5f).at({1, 1}) == 7.5f);
    const Tensor r = Tensor::arange(4);
    CHECK(r.to_vector() == std::vector<float>{0, 1, 2, 3});
    Tensor m = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
    CHECK(m.at({1, 0}) == 4.0f);
    m.at({0, 2}) = -1;
    CHECK(m[2] == -1.0f);
    CHECK(Tensor::scalar(3).item() == 3.0f);
    CHECK_THROWS_WITH_AS(m.item(), "item: needs a tensor with one element, got shape (2, 3)", ShapeError);
    CHECK_THROWS_WITH_AS(m.at({2, 0}), "at: index 2 out of range for axis 0 of shape (2, 3)", ShapeError);
    CHECK_THROWS_WITH_AS(Tensor::from_vector({1, 2, 3}, {2, 2}), "from_vector: 3 values do not fill shape (2, 2)",
                         ShapeError);
}

TEST_CASE("tensor: copies share storage, clone does not") {
    Tensor a = Tensor::zeros({3});
    Tensor b = a;
    b[0] = 5;
    CHECK(a[0] == 5.0f);
    Tensor c = a.clone();
    c[0] = 1;
    CHECK(a[0] == 5.0f);
    CHECK_FALSE(c.shares_storage(a));
}

TEST_CASE("tensor: operator<< prints values and shape") {
    std::ostringstream os;
    os << Tensor::from_vector({1, 2, 3, 4}, {2, 2});
    CHECK(os.str() == "Tensor([[1, 2],\n [3, 4]], shape=(2, 2))");
    std::ostringstream big;
    big << Tensor::arange(10);
    CHECK(big.str() == "Tensor([0, 1, 2, ..., 7, 8, 9], shape=(10,))");
}

TEST_CASE("rng: seeded and reproducible, uniform in range, normal moments") {
    Rng a(42), b(42), c(43);
    CHECK(a.next_u64() == b.next_u64());
    CHECK(a.next_u64() != c.next_u64());
    Rng r(1);
    double sum = 0, sq = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const float u = r.uniform(-2.0f, 3.0f);
        CHECK((u >= -2.0f && u < 3.0f));
        const double z = r.normal();
        sum += z;
        sq += z * z;
    }
    CHECK(std::abs(sum / n) < 0.03);
    CHECK(std::abs(sq / n - 1.0) < 0.05);
    const Tensor t1 = Tensor::uniform({5}, 0, 1, a = Rng(9));
    const Tensor t2 = Tensor::uniform({5}, 0, 1, b = Rng(9));
    CHECK(t1.to_vector() == t2.to_vector());
}

TEST_CASE("tape: records only ops whose inputs need gradients, empty after backward") {
    tape::clear();
    Tensor w = Tensor::from_vector({1, 2}, {2});
    const Tensor x = Tensor::from_vector({3, 4}, {2});
    Tensor y = x * x;
    CHECK(tape::size() == 0);  // no input needs a gradient
    w.requires_grad();
    Tensor loss = sum(w * x + w);
    CHECK(tape::size() == 3);  // mul, add, sum
    loss.backward();
    CHECK(tape::size() == 0);
    CHECK(w.grad().to_vector() == std::vector<float>{4, 5});  // d/dw (w x + w) = x + 1
}

TEST_CASE("tape: gradients accumulate with += until zero_grad") {
    Tensor w = Tensor::from_vector({2}, {1});
    w.requires_grad();
    sum(w * w).backward();
    sum(w * w).backward();
    CHECK(w.grad()[0] == 8.0f);  // 2 * (2w)
    w.zero_grad();
    sum(w * 3.0f).backward();
    CHECK(w.grad()[0] == 3.0f);
}

TEST_CASE("tape: NoGrad records nothing and its outputs need no gradient") {
    tape::clear();
    Tensor w = Tensor::ones({3});
    w.requires_grad();
    {
        NoGrad guard;
        Tensor y = tanh(w * 2.0f);
        CHECK(tape::size() == 0);
        CHECK_FALSE(y.needs_grad());
        CHECK_FALSE(tape::recording());
    }
    CHECK(tape::recording());
    Tensor y = tanh(w);
    CHECK(tape::size() == 1);
    tape::clear();
}

TEST_CASE("tape: an intermediate used twice gets both contributions") {
    Tensor x = Tensor::from_vector({3}, {1});
    x.requires_grad();
    const Tensor h = x * x;     // 9
    sum(h * h + h).backward();  // d/dx (x^4 + x^2) = 4x^3 + 2x = 114
    CHECK(x.grad()[0] == 114.0f);
}

TEST_CASE("tape: backward frees what the closures held") {
    Tensor w = Tensor::ones({1000});
    w.requires_grad();
    std::weak_ptr<GradBuffer> intermediate_grad;
    {
        Tensor h = exp(w);
        intermediate_grad = h.grad_slot();
        sum(h).backward();
    }
    CHECK(intermediate_grad.expired());
}

TEST_CASE("tape: backward on something that needs no gradient is a clear error") {
    const Tensor x = Tensor::ones({2});
    CHECK_THROWS_WITH_AS(sum(x).backward(), "backward: this tensor does not depend on anything that needs a gradient",
                         ValueError);
    Tensor w = Tensor::ones({2});
    w.requires_grad();
    CHECK_THROWS_AS((w * 2.0f).backward(), ShapeError);  // not a scalar
    tape::clear();
}

TEST_CASE("gradcheck: catches a wrong backward") {
    // y = x^2 with a backward that claims dy/dx = x (half the truth).
    auto wrong_square = [](const std::vector<Tensor>& in) {
        const Tensor& x = in[0];
        Tensor y = x.clone();
        for (int64_t i = 0; i < y.numel(); ++i) y[i] = x[i] * x[i];
        if (tape::wants_grad({&x})) {
            y.attach_grad();
            tape::record("wrong_square", [x, gy = y.grad_slot()] {
                float* gx = x.grad_slot()->acc(x.numel());
                for (int64_t i = 0; i < x.numel(); ++i) gx[i] += gy->g[i] * x[i];
            });
        }
        return y;
    };
    const GradcheckResult bad = gradcheck(wrong_square, {Tensor::from_vector({0.5f, -1.5f, 2.0f}, {3})});
    CHECK_FALSE(bad.ok);
    CHECK(bad.max_rel_err > 0.4);
    const GradcheckResult good =
        gradcheck([](const std::vector<Tensor>& in) { return in[0] * in[0]; }, {Tensor::from_vector({0.5f, -1.5f}, {2})});
    CHECK(good.ok);
}
