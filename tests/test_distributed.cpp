// The distributed room in a process that mpirun did not launch (train/distributed.h): a job of one,
// whose collective operations leave the data alone, and a fit that takes no distributed path. The
// runs under mpirun are tests/mpi/ (make test-mpi).
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/rng.h"
#include "layers/dense.h"
#include "optim/sgd.h"
#include "train/distributed.h"
#include "train/model.h"

namespace tn {
namespace {

TEST_CASE("distributed: a process not launched by mpirun is rank 0 of a job of 1") {
    CHECK(distributed::rank() == 0);
    CHECK(distributed::world_size() == 1);
    CHECK(distributed::is_root());
    std::vector<float> f{1.5f, -2.0f};
    std::vector<double> d{3.25};
    std::vector<uint64_t> u{7, 9};
    distributed::broadcast(f);
    distributed::broadcast(u);
    distributed::allreduce_sum(f);
    distributed::allreduce_sum(d);
    CHECK(f == std::vector<float>{1.5f, -2.0f});
    CHECK(d == std::vector<double>{3.25});
    CHECK(u == std::vector<uint64_t>{7, 9});
    CHECK(distributed::stats().allreduce_calls == 0);  // a job of one never calls MPI
}

TEST_CASE("distributed: fit in a job of one takes the steps train_on_batch takes") {
    Rng rng(3);
    const Tensor x = Tensor::uniform({8, 2}, -1.0f, 1.0f, rng), y = Tensor::uniform({8, 1}, -1.0f, 1.0f, rng);
    auto make = [] {
        auto m = std::make_unique<Model>(5);
        m->add<Dense>(1);
        m->compile("mse", std::make_unique<SGD>(0.1));
        return m;
    };
    auto a = make(), b = make();
    a->fit(x, y, {.epochs = 1, .batch_size = 8, .shuffle = false, .verbose = 0});
    b->train_on_batch(x, y);
    CHECK(a->optimizer().iterations() == 1);
    const Tensor wa = a->params()[0].value, wb = b->params()[0].value;
    for (int64_t i = 0; i < wa.numel(); ++i) CHECK(wa[i] == wb[i]);
}

}  // namespace
}  // namespace tn
