// The thread's cache of freed buffers (core/buffer.h): big blocks are reused, small ones are not
// cached, the cache stays under its bound, and a reused block never aliases a live one.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <doctest/doctest.h>

#include "core/buffer.h"
#include "core/rng.h"
#include "core/tape.h"
#include "core/tensor.h"
#include "layers/lstm_kernel.h"

TEST_CASE("buffer cache: a freed big buffer is reused by the next request of its size class") {
    tn::buffer_cache::clear();
    const int64_t n = int64_t{1} << 16;
    const float* first = nullptr;
    {
        tn::FloatBuffer a(n, 1.0f);
        first = a.data();
    }
    CHECK(tn::buffer_cache::cached_blocks() == 1);
    CHECK(tn::buffer_cache::cached_bytes() >= n * sizeof(float));
    tn::FloatBuffer b(n - 3);  // same size class
    CHECK(b.data() == first);
    CHECK(b.size() == static_cast<size_t>(n - 3));
    CHECK(tn::buffer_cache::cached_blocks() == 0);
    CHECK(tn::buffer_cache::cached_bytes() == 0);
    tn::FloatBuffer c(2 * n);  // another class: a fresh block
    CHECK(c.data() != first);
}

TEST_CASE("buffer cache: small buffers go straight back to the allocator") {
    tn::buffer_cache::clear();
    { tn::FloatBuffer small(static_cast<int64_t>(tn::buffer_cache::kMinCachedFloats) - 1, 0.0f); }
    CHECK(tn::buffer_cache::cached_blocks() == 0);
    { tn::FloatBuffer big(static_cast<int64_t>(tn::buffer_cache::kMinCachedFloats), 0.0f); }
    CHECK(tn::buffer_cache::cached_blocks() == 1);
    tn::buffer_cache::clear();
    CHECK(tn::buffer_cache::cached_blocks() == 0);
    CHECK(tn::buffer_cache::cached_bytes() == 0);
}

TEST_CASE("buffer cache: holds at most kCacheBytes, dropping the least recently freed") {
    tn::buffer_cache::clear();
    // Five blocks of about 64 MB, each its own size class (never written, so they cost no memory).
    const int64_t base = int64_t{1} << 24;  // floats
    std::vector<tn::FloatBuffer> blocks;
    for (int64_t k = 0; k < 5; ++k) blocks.emplace_back(base + k * (base / 8));
    const float* newest = blocks.back().data();
    blocks.clear();  // frees them in order: the last one is the most recently freed
    CHECK(tn::buffer_cache::cached_bytes() <= tn::buffer_cache::kCacheBytes);
    CHECK(tn::buffer_cache::cached_blocks() < 5);
    tn::FloatBuffer again(base + 4 * (base / 8));
    CHECK(again.data() == newest);
    tn::buffer_cache::clear();
}

TEST_CASE("buffer cache: tensors never share a reused block with a live tensor") {
    tn::buffer_cache::clear();
    const int64_t n = int64_t{1} << 15;
    tn::Tensor live = tn::Tensor::full({n}, 3.0f);
    std::vector<const float*> seen = {live.data()};
    for (int round = 0; round < 3; ++round) {
        tn::Tensor a = tn::Tensor::zeros({n});  // zeros() must still be zeros after a reuse
        tn::Tensor b = tn::Tensor::empty({n});
        CHECK(!a.shares_storage(live));
        CHECK(!b.shares_storage(live));
        CHECK(a.data() != live.data());
        CHECK(b.data() != live.data());
        CHECK(a.data() != b.data());
        float max_abs = 0;
        for (int64_t i = 0; i < n; ++i) max_abs = std::max(max_abs, std::abs(a[i]));
        CHECK(max_abs == 0.0f);
        for (int64_t i = 0; i < n; ++i) b[i] = -1.0f;  // scribble over what goes back to the cache
    }
    for (int64_t i = 0; i < n; ++i)
        if (live[i] != 3.0f) FAIL("a live tensor was overwritten at " << i);
}

TEST_CASE("GradBuffer::add adopts the first gradient and adds the next ones") {
    tn::GradBuffer g;
    tn::FloatBuffer first(4, 1.5f);
    const float* p = first.data();
    g.add(std::move(first));
    CHECK(g.has());
    CHECK(g.g.data() == p);  // adopted, not copied
    g.add(tn::FloatBuffer(4, 0.25f));
    CHECK(g.g.data() == p);
    for (float v : g.g) CHECK(v == 1.75f);
}

TEST_CASE("buffer cache: training steps of an LSTM reach a steady state") {
    tn::buffer_cache::clear();
    tn::Rng rng(3);
    // Big enough for cached buffers: gates are T*B*4U = 20*32*256 floats.
    tn::Tensor x = tn::Tensor::uniform({32, 20, 4}, -1, 1, rng);
    tn::Tensor k = tn::Tensor::uniform({4, 256}, -0.3f, 0.3f, rng).requires_grad();
    tn::Tensor r = tn::Tensor::uniform({64, 256}, -0.3f, 0.3f, rng).requires_grad();
    tn::Tensor bias = tn::Tensor::zeros({256}).requires_grad();
    std::vector<float> grad_r5;  // one element of d recurrent_kernel, per step
    size_t bytes_after_first = 0;
    for (int step = 0; step < 3; ++step) {
        k.zero_grad(), r.zero_grad(), bias.zero_grad();
        tn::Tensor y = tn::lstm_sequence(x, k, r, bias, tn::Tensor(), tn::LstmActivation::tanh,
                                         tn::LstmActivation::sigmoid, /*return_sequences=*/true);
        y.backward(tn::Tensor::full(y.shape(), 1.0f));
        grad_r5.push_back(r.grad()[5]);
        if (step == 0) bytes_after_first = tn::buffer_cache::cached_bytes();
        CHECK(tn::buffer_cache::cached_bytes() == bytes_after_first);  // every block of step 0 was reused since
    }
    CHECK(bytes_after_first > 0);
    CHECK(grad_r5[0] == grad_r5[1]);  // same inputs, same gradients: no stale values leak in
    CHECK(grad_r5[1] == grad_r5[2]);
}
