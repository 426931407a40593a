// One model, several threads: a loaded model serves predict from four threads at once, each result
// bit-identical to the serial one, and threads that reach the lazy build of a layer together build
// it once. `make SANITIZE=thread test` runs these under ThreadSanitizer.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/parallel.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/lstm.h"
#include "tests/test_util.h"
#include "train/load_model.h"

namespace tn::test_threads {
namespace {

using testing::same_bits;

// LSTM -> Attention(score) -> Dense, saved and loaded again.
std::unique_ptr<Model> saved_and_loaded(const std::string& score, int64_t T, int64_t D,
                                        const testing::TempDir& dir) {
    Model model(/*seed=*/3);
    model.add<LSTM>(16, /*return_sequences=*/true);
    model.add<Attention>(8, score);
    model.add<Dense>(3, "softmax");
    model.build({-1, T, D});
    const std::string path = (dir.path / (score + ".json")).string();
    save_model(model, path);
    return load_model(path);
}

TEST_CASE("threads: one loaded model serves predict from 4 threads at once, bit-identical to one thread") {
    constexpr int kThreads = 4, kRounds = 3;
    const int64_t N = 96, T = 12, D = 4;
    Rng rng(5);
    const Tensor x = Tensor::uniform({N, T, D}, -1.0f, 1.0f, rng);
    testing::TempDir dir("threads");
    for (const std::string score : {"luong", "bahdanau"})
        for (const int library_threads : {1, 2}) {  // 2: the callers also compete for the pool (core/parallel.h)
            INFO(score << ", " << library_threads << " library threads");
            testing::ThreadCount count(library_threads);
            const std::unique_ptr<Model> model = saved_and_loaded(score, T, D, dir);
            const Tensor serial = model->predict(x, /*batch_size=*/32);

            std::vector<std::vector<Tensor>> results(kThreads);
            std::vector<std::thread> threads;
            for (int k = 0; k < kThreads; ++k)
                threads.emplace_back([&, k] {
                    for (int round = 0; round < kRounds; ++round) results[k].push_back(model->predict(x, 32));
                });
            for (std::thread& t : threads) t.join();

            for (int k = 0; k < kThreads; ++k)
                for (int round = 0; round < kRounds; ++round) {
                    INFO("thread " << k << ", round " << round);
                    CHECK(same_bits(results[k][round], serial));
                }
        }
}

TEST_CASE("threads: threads that meet at the lazy build build the layer once") {
    constexpr int kThreads = 4;
    Rng rng(6);
    const Tensor x = Tensor::uniform({5, 7}, -1.0f, 1.0f, rng);
    Dense dense(4);
    dense.set_seed(9);
    std::vector<Tensor> outputs(kThreads);
    std::vector<std::thread> threads;
    for (int k = 0; k < kThreads; ++k) threads.emplace_back([&, k] { outputs[k] = dense.forward(x); });
    for (std::thread& t : threads) t.join();

    CHECK(dense.built());
    CHECK(dense.params().size() == 2);
    for (int k = 1; k < kThreads; ++k) CHECK(same_bits(outputs[k], outputs[0]));
    Dense alone(4);
    alone.set_seed(9);
    CHECK(same_bits(alone.forward(x), outputs[0]));
}

}  // namespace
}  // namespace tn::test_threads
