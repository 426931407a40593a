// Threads (core/parallel.h): parallel_for itself, the products split across threads
// (core/gemm.cpp) and the LSTM's batch rows split across threads (layers/lstm_kernel.cpp), each
// checked against the same computation on one thread.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/gemm.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/tape.h"
#include "layers/attention_kernel.h"
#include "layers/lstm_kernel.h"
#include "tests/test_util.h"

namespace tn {
namespace {

using testing::ThreadCount;

struct Part {
    int64_t begin, end;
    std::thread::id thread;
};

std::vector<Part> parts_of(int64_t n, int64_t min_part) {
    std::mutex m;
    std::vector<Part> parts;
    parallel_for(n, min_part, [&](int64_t b, int64_t e) {
        std::lock_guard lock(m);
        parts.push_back({b, e, std::this_thread::get_id()});
    });
    std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) { return a.begin < b.begin; });
    return parts;
}

TEST_CASE("parallel_for: disjoint parts that cover the range, one per thread") {
    ThreadCount threads(3);
    const std::vector<Part> parts = parts_of(100, 8);
    REQUIRE(parts.size() == 3);
    CHECK(parts[0].begin == 0);
    CHECK(parts[0].end == parts[1].begin);
    CHECK(parts[1].end == parts[2].begin);
    CHECK(parts[2].end == 100);
    std::set<std::thread::id> ids;
    for (const Part& p : parts) {
        CHECK(p.end - p.begin >= 33);
        ids.insert(p.thread);
    }
    CHECK(ids.size() == 3);
    CHECK(ids.count(std::this_thread::get_id()) == 1);  // the caller runs a part itself

    // Every index exactly once, many times over (workers are reused between calls).
    std::vector<std::atomic<int>> seen(1000);
    for (int round = 0; round < 50; ++round)
        parallel_for(1000, 1, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) ++seen[i];
        });
    int wrong = 0;
    for (const auto& count : seen) wrong += count.load() != 50;
    CHECK(wrong == 0);
}

TEST_CASE("parallel_for: small ranges, one thread and nested calls run as one part on the caller") {
    {
        ThreadCount threads(2);
        const std::vector<Part> small = parts_of(15, 8);  // fewer than 2 * min_part
        REQUIRE(small.size() == 1);
        CHECK(small[0].begin == 0);
        CHECK(small[0].end == 15);
        CHECK(small[0].thread == std::this_thread::get_id());
        CHECK(parts_of(16, 8).size() == 2);
        CHECK(parts_of(0, 1).empty());

        std::mutex m;
        std::vector<std::pair<int64_t, int64_t>> inner;
        parallel_for(64, 8, [&](int64_t, int64_t) {
            parallel_for(40, 1, [&](int64_t b, int64_t e) {
                std::lock_guard lock(m);
                inner.emplace_back(b, e);
            });
        });
        REQUIRE(inner.size() == 2);  // each of the two outer parts ran the inner loop whole
        for (const auto& [b, e] : inner) {
            CHECK(b == 0);
            CHECK(e == 40);
        }
    }
    ThreadCount one(1);
    const std::vector<Part> parts = parts_of(1000, 1);
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].thread == std::this_thread::get_id());
}

TEST_CASE("parallel_for: an exception in any part reaches the caller, and the pool goes on working") {
    ThreadCount threads(2);
    CHECK_THROWS_WITH_AS(parallel_for(100, 1,
                                      [](int64_t b, int64_t) {
                                          if (b > 0) throw std::runtime_error("part at " + std::to_string(b));
                                      }),
                         "part at 50", std::runtime_error);
    CHECK_THROWS_WITH_AS(parallel_for(100, 1,
                                      [](int64_t b, int64_t) {
                                          if (b == 0) throw std::runtime_error("first part");
                                      }),
                         "first part", std::runtime_error);
    CHECK(parts_of(100, 1).size() == 2);
    CHECK_THROWS_WITH_AS(set_num_threads(0), doctest::Contains("at least 1 thread, got 0"), ValueError);
}

TEST_CASE("parallel_for: callers on several threads at once each get their whole range, once") {
    ThreadCount threads(3);
    constexpr int kCallers = 4, kCalls = 200;
    constexpr int64_t n = 1000;
    std::vector<std::vector<int>> counts(kCallers, std::vector<int>(n, 0));
    std::vector<std::thread> callers;
    for (int k = 0; k < kCallers; ++k)
        callers.emplace_back([&counts, k] {
            for (int call = 0; call < kCalls; ++call)
                parallel_for(n, 10, [&](int64_t b, int64_t e) {  // parts of one call write disjoint entries
                    for (int64_t i = b; i < e; ++i) ++counts[k][i];
                });
        });
    for (std::thread& t : callers) t.join();
    for (int k = 0; k < kCallers; ++k) {
        INFO("caller " << k);
        CHECK(std::count(counts[k].begin(), counts[k].end(), kCalls) == n);
    }
}

// C = alpha op(A) op(B) + beta C in double, for comparison.
std::vector<double> reference_gemm(bool ta, bool tb, int m, int n, int k, float alpha, const std::vector<float>& a,
                                   int lda, const std::vector<float>& b, int ldb, float beta,
                                   const std::vector<float>& c, int ldc) {
    std::vector<double> out(c.begin(), c.end());
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            double acc = 0;
            for (int p = 0; p < k; ++p)
                acc += double(ta ? a[p * lda + i] : a[i * lda + p]) * double(tb ? b[j * ldb + p] : b[p * ldb + j]);
            out[i * ldc + j] = alpha * acc + beta * double(c[i * ldc + j]);
        }
    return out;
}

TEST_CASE("gemm split across threads: rows or columns, every transpose, padded strides") {
    Rng rng(3);
    struct Dims {
        int m, n, k;
    };
    // (m >= n: split by rows; m < n: by columns), each over the 1M multiply-adds that make a split
    for (const Dims d : {Dims{203, 70, 100}, Dims{45, 301, 100}}) {
        for (const bool ta : {false, true})
            for (const bool tb : {false, true}) {
                INFO("m " << d.m << " n " << d.n << " k " << d.k << " ta " << ta << " tb " << tb);
                const int lda = (ta ? d.m : d.k) + 3, ldb = (tb ? d.k : d.n) + 5, ldc = d.n + 2;
                const auto draw = [&](int64_t count) { return Tensor::uniform({count}, -1.0f, 1.0f, rng).to_vector(); };
                const std::vector<float> a = draw(int64_t(ta ? d.k : d.m) * lda);
                const std::vector<float> b = draw(int64_t(tb ? d.n : d.k) * ldb);
                const std::vector<float> c0 = draw(int64_t(d.m) * ldc);
                const std::vector<double> want = reference_gemm(ta, tb, d.m, d.n, d.k, 0.5f, a, lda, b, ldb, 2.0f, c0, ldc);
                for (const int threads : {1, 2, 3}) {
                    INFO("threads " << threads);
                    ThreadCount count(threads);
                    std::vector<float> c = c0;
                    gemm(ta, tb, d.m, d.n, d.k, 0.5f, a.data(), lda, b.data(), ldb, 2.0f, c.data(), ldc);
                    double worst = 0;
                    int padding_changed = 0;
                    for (int i = 0; i < d.m; ++i)
                        for (int j = 0; j < ldc; ++j) {
                            const int at = i * ldc + j;
                            if (j >= d.n) padding_changed += c[at] != c0[at];
                            else worst = std::max(worst, std::abs(c[at] - want[at]) / (1.0 + std::abs(want[at])));
                        }
                    CHECK(worst < 1e-5);
                    CHECK(padding_changed == 0);
                }
            }
    }
}

// |a - b| <= tol (1 + |b|) everywhere.
void check_agree(const Tensor& a, const Tensor& b, double tol = 1e-5) {
    REQUIRE(a.shape() == b.shape());
    double worst = 0;
    for (int64_t k = 0; k < b.numel(); ++k) worst = std::max(worst, std::abs(double(a[k]) - b[k]) / (1.0 + std::abs(b[k])));
    CHECK(worst < tol);
}

// Everything lstm_sequence computes, for one input and one thread count: y, h_T, c_T and the
// gradients of L = sum(y r_y) + sum(h_T r_h) + sum(c_T r_c) with respect to all inputs.
std::vector<Tensor> lstm_results(int threads, const std::vector<Tensor>& values, const Tensor& mask, bool sequences,
                                 const std::vector<Tensor>& r) {
    ThreadCount count(threads);
    tape::clear();
    std::vector<Tensor> in;
    for (const Tensor& v : values) in.push_back(v.clone().requires_grad());
    Tensor h, c;
    const Tensor y = lstm_sequence(in[0], in[1], in[2], in[3], mask, LstmActivation::tanh, LstmActivation::sigmoid,
                                   sequences, &h, &c);
    (sum(y * r[0]) + sum(h * r[1]) + sum(c * r[2])).backward();
    return {y, h, c, in[0].grad(), in[1].grad(), in[2].grad(), in[3].grad()};
}

TEST_CASE("fused LSTM split across threads by batch rows: values and gradients agree with one thread") {
    Rng rng(11);
    const char* names[] = {"y", "h_last", "c_last", "dx", "d kernel", "d recurrent_kernel", "d bias"};
    const int64_t B = 37, T = 6, U = 5;  // 37 rows: uneven parts
    for (const int64_t D : {int64_t{1}, int64_t{3}})
        for (const bool masked : {false, true})
            for (const bool sequences : {false, true}) {
                INFO("D " << D << std::string(masked ? " masked" : "") << std::string(sequences ? " sequences" : ""));
                const std::vector<Tensor> values = {
                    Tensor::uniform({B, T, D}, -1.0f, 1.0f, rng), Tensor::uniform({D, 4 * U}, -0.5f, 0.5f, rng),
                    Tensor::uniform({U, 4 * U}, -0.5f, 0.5f, rng), Tensor::uniform({4 * U}, -0.5f, 0.5f, rng)};
                Tensor mask;
                if (masked) {
                    mask = Tensor({B, T});
                    for (int64_t i = 0; i < B * T; ++i) mask[i] = rng.uniform() < 0.3f ? 0.0f : 1.0f;
                }
                const std::vector<Tensor> r = {
                    Tensor::uniform(sequences ? Shape{B, T, U} : Shape{B, U}, -1.0f, 1.0f, rng),
                    Tensor::uniform({B, U}, -1.0f, 1.0f, rng), Tensor::uniform({B, U}, -1.0f, 1.0f, rng)};
                const std::vector<Tensor> one = lstm_results(1, values, mask, sequences, r);
                for (const int threads : {2, 3}) {
                    const std::vector<Tensor> many = lstm_results(threads, values, mask, sequences, r);
                    for (size_t i = 0; i < one.size(); ++i) {
                        INFO(std::string(names[i]) << ", " << threads << " threads");
                        check_agree(many[i], one[i]);  // sums over the rows are only grouped differently
                    }
                }
            }
}

// attention_forward's outputs and the gradients of L = sum(y r) for one thread count.
std::vector<Tensor> attention_results(int threads, bool luong, const std::vector<Tensor>& values, const Tensor& mask,
                                      const Tensor& r) {
    ThreadCount count(threads);
    tape::clear();
    std::vector<Tensor> in;
    for (const Tensor& v : values) in.push_back(v.clone().requires_grad());
    AttentionIntermediates seen;
    const Tensor y = attention_forward(
        in[0], luong ? AttentionScoreParams::luong(in[1]) : AttentionScoreParams::bahdanau(in[1], in[2], in[3]),
        in.back(), mask, &seen);
    sum(y * r).backward();
    std::vector<Tensor> results = {y, seen.alpha, seen.scores, seen.context, seen.h_t};
    for (const Tensor& t : in) results.push_back(t.grad());
    return results;
}

TEST_CASE("fused Attention split across threads by batch rows: values and gradients agree with one thread") {
    Rng rng(12);
    // Shapes with enough work per row for the forward to split (layers/attention_kernel.cpp).
    for (const bool luong : {true, false}) {
        const int64_t B = luong ? 301 : 37, T = luong ? 10 : 20, D = 64, N = 16;
        INFO((luong ? "luong" : "bahdanau"));
        std::vector<Tensor> values = {Tensor::uniform({B, T, D}, -1.5f, 1.5f, rng)};
        for (int i = 0; i < (luong ? 1 : 2); ++i) values.push_back(Tensor::uniform({D, D}, -0.2f, 0.2f, rng));
        if (!luong) values.push_back(Tensor::uniform({D, 1}, -0.3f, 0.3f, rng));
        values.push_back(Tensor::uniform({2 * D, N}, -0.2f, 0.2f, rng));
        Tensor mask({B, T});
        for (int64_t i = 0; i < B * T; ++i) mask[i] = (rng.uniform() < 0.3f && i % T != 0) ? 0.0f : 1.0f;
        const Tensor r = Tensor::uniform({B, N}, -1.0f, 1.0f, rng);
        const std::vector<Tensor> one = attention_results(1, luong, values, mask, r);
        for (const int threads : {2, 3}) {
            const std::vector<Tensor> many = attention_results(threads, luong, values, mask, r);
            REQUIRE(many.size() == one.size());
            for (size_t i = 0; i < one.size(); ++i) {
                INFO("result " << i << ", " << threads << " threads");
                check_agree(many[i], one[i]);
            }
        }
    }
}

}  // namespace
}  // namespace tn
