// The data-parallel checks of docs/distributed.md, one program run in several modes by
// tests/mpi/run.sh (make test-mpi):
//
//   mpi_tests reference DIR       one process: the first step's gradients and the weights after
//                                 20 more steps, written to DIR/reference_*.bin
//   mpirun -np N mpi_tests check DIR TAG
//                                 the same training data-parallel; rank 0 compares with the
//                                 reference (gradients within 1e-6, weights within 1e-5, relative
//                                 to the largest value), checks that every rank holds the same
//                                 weights bit for bit, and writes DIR/TAG_weights.bin (the script
//                                 compares two runs bit for bit)
//                                 It also trains a model with dropout: the ranks must draw their own
//                                 masks and keep the same weights; and only rank 0 writes checkpoints.
//   mpirun -np 2 mpi_tests throw  rank 1 throws from a callback at step 3: the job must end
//   mpirun -np 2 mpi_tests inf    one rank's share of the first batch makes the loss infinite:
//                                 every rank must stop with the same error
//
// Each replica starts from different weights and optimizer state (rank r seeds with 7 + 100 r and
// takes rank-dependent steps first), so a pass also shows that fit starts every rank from rank 0's.
// The global batches (10 rows of 42 samples) split unevenly over 2 and 3 ranks, and the last one
// (2 rows) leaves a rank of 3 without a sample.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tapenet.h"

namespace {

constexpr int64_t kSamples = 42, kBatch = 10, kSteps = 4, kFeatures = 3;

struct Data {
    tn::Tensor x, y;
};

Data make_data(uint64_t seed) {
    tn::Rng rng(seed);
    Data d{tn::Tensor::uniform({kSamples, kSteps, kFeatures}, -1.0f, 1.0f, rng), tn::Tensor({kSamples, 1})};
    for (int64_t i = 0; i < kSamples; ++i) d.y[i] = d.x[i * kSteps * kFeatures] - 0.5f * d.x[i * kSteps * kFeatures + 4];
    return d;
}

// A compiled model; seeded per rank, then stepped on rank-dependent data (a replica that diverged,
// or resumed from another checkpoint, before fit).
std::unique_ptr<tn::Model> make_model(int rank) {
    auto model = std::make_unique<tn::Model>(7 + 100 * static_cast<uint64_t>(rank));
    model->add<tn::LSTM>(8);
    model->add<tn::Dense>(4, "tanh");
    model->add<tn::Dense>(1);
    model->compile("mse", std::make_unique<tn::Adam>(tn::AdamOptions{.learning_rate = 0.01}));
    const Data warm = make_data(1000 + static_cast<uint64_t>(rank));
    for (int i = 0; i < 3; ++i) model->train_on_batch(warm.x, warm.y);
    return model;
}

std::vector<float> weights_of(const tn::Model& m) {
    std::vector<float> w;
    for (const tn::Param& p : m.params()) w.insert(w.end(), p.value.data(), p.value.data() + p.value.numel());
    return w;
}

std::vector<float> gradients_of(const tn::Model& m) {
    std::vector<float> g;
    for (const tn::Param& p : m.params()) {
        const tn::Tensor t = p.value.grad();
        g.insert(g.end(), t.data(), t.data() + t.numel());
    }
    return g;
}

void write_floats(const std::string& path, const std::vector<float>& v) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
    if (!f) throw std::runtime_error("cannot write " + path);
}

std::vector<float> read_floats(const std::string& path, size_t n) {
    std::vector<float> v(n);
    std::ifstream f(path, std::ios::binary);
    f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(float)));
    if (!f) throw std::runtime_error("cannot read " + std::to_string(n) + " floats from " + path);
    return v;
}

// max |a - b| / max |b|
double relative_error(const std::vector<float>& a, const std::vector<float>& b) {
    double diff = 0, scale = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        diff = std::max(diff, std::fabs(static_cast<double>(a[i]) - b[i]));
        scale = std::max(scale, std::fabs(static_cast<double>(b[i])));
    }
    return diff / scale;
}

// The training both modes run: one step on the first batch (its gradients kept), then 20 steps
// (5 epochs of 4 batches, the last of 2 rows) with shuffling. Returns the first step's gradients.
std::vector<float> train(tn::Model& model, float& val_loss) {
    const Data d = make_data(42);
    model.fit(tn::slice(d.x, 0, 0, kBatch), tn::slice(d.y, 0, 0, kBatch), {.epochs = 1, .batch_size = kBatch, .shuffle = false, .verbose = 0});
    std::vector<float> grads = gradients_of(model);
    const tn::History h = model.fit(d.x, d.y, {.epochs = 5, .batch_size = kBatch, .validation_data = {d.x, d.y}, .verbose = 0});
    val_loss = h.val_loss.back();
    return grads;
}

// A model with dropout trained 3 steps: the replicas must draw different masks (each rank its own
// stream) and still hold the same weights (the averaged gradient).
struct DropoutCheck {
    double weights_differ = 0;  // ranks whose weights differ from rank 0's
    double same_stream = 0;     // ranks whose dropout generator is in rank 0's state (1: rank 0 itself)
};

DropoutCheck check_dropout() {
    tn::Rng rng(5);
    const tn::Tensor x = tn::Tensor::uniform({30, 3}, -1.0f, 1.0f, rng), y = tn::Tensor::uniform({30, 1}, -1.0f, 1.0f, rng);
    tn::Model model(11);
    model.add<tn::Dense>(16, "tanh");
    tn::Dropout& drop = model.add<tn::Dropout>(0.5);
    model.add<tn::Dense>(1);
    model.compile("mse", std::make_unique<tn::Adam>());
    model.fit(x, y, {.epochs = 1, .batch_size = kBatch, .verbose = 0});
    const std::vector<float> w = weights_of(model);
    std::vector<float> root_w = w;
    tn::distributed::broadcast(root_w);
    const auto state = drop.random_generator()->state();
    std::vector<uint64_t> words(state.begin(), state.end()), root_words = words;
    tn::distributed::broadcast(root_words);
    std::vector<double> counts{root_w == w ? 0.0 : 1.0, root_words == words ? 1.0 : 0.0};
    tn::distributed::allreduce_sum(counts);
    return {counts[0], counts[1]};
}

int reference(const std::string& dir) {
    if (tn::distributed::world_size() != 1) throw std::runtime_error("reference runs in one process");
    auto model = make_model(0);
    float val_loss = 0;
    write_floats(dir + "/reference_gradients.bin", train(*model, val_loss));
    write_floats(dir + "/reference_weights.bin", weights_of(*model));
    write_floats(dir + "/reference_val_loss.bin", {val_loss});
    return 0;
}

int check(const std::string& dir, const std::string& tag) {
    const int rank = tn::distributed::rank(), world = tn::distributed::world_size();
    auto model = make_model(rank);
    float val_loss = 0;
    const std::vector<float> grads = train(*model, val_loss);
    const std::vector<float> w = weights_of(*model);
    // Every rank must hold rank 0's weights bit for bit.
    std::vector<float> root = w;
    tn::distributed::broadcast(root);
    double differing[1] = {root == w ? 0.0 : 1.0};
    tn::distributed::allreduce_sum(differing);
    const DropoutCheck dropout = check_dropout();
    // Checkpoints: rank 0 writes, the others return (each rank names its own folder here).
    const std::string own_folder = dir + "/" + tag + "_checkpoint_rank" + std::to_string(rank);
    std::filesystem::create_directories(own_folder);
    const std::string own_checkpoint = own_folder + "/model.json";
    tn::save_checkpoint(*model, 1, own_checkpoint);
    double written[1] = {std::filesystem::exists(own_checkpoint) ? 1.0 : 0.0};
    tn::distributed::allreduce_sum(written);
    if (rank != 0) return 0;

    const double grad_error = relative_error(grads, read_floats(dir + "/reference_gradients.bin", grads.size()));
    const double weight_error = relative_error(w, read_floats(dir + "/reference_weights.bin", w.size()));
    const float ref_val = read_floats(dir + "/reference_val_loss.bin", 1)[0];
    const double val_error = std::fabs(static_cast<double>(val_loss) - ref_val) / std::fabs(static_cast<double>(ref_val));
    write_floats(dir + "/" + tag + "_weights.bin", w);
    bool ok = true;
    auto report = [&](const char* what, double value, double limit) {
        const bool pass = value <= limit;
        ok = ok && pass;
        std::printf("np=%d %s: %.3g (limit %.0e) %s\n", world, what, value, limit, pass ? "ok" : "FAILED");
    };
    report("first step's gradients, relative error against one process", grad_error, 1e-6);
    report("weights after 20 more steps, relative error against one process", weight_error, 1e-5);
    report("validation loss, relative error against one process", val_error, 1e-5);
    report("ranks whose weights differ from rank 0's", differing[0], 0);
    report("with dropout: ranks whose weights differ from rank 0's", dropout.weights_differ, 0);
    report("with dropout: ranks > 0 whose mask stream is rank 0's", dropout.same_stream - 1, 0);
    report("checkpoints written by ranks > 0", written[0] - (std::filesystem::exists(own_checkpoint) ? 1 : 0), 0);
    report("checkpoint missing on rank 0", std::filesystem::exists(own_checkpoint) ? 0 : 1, 0);
    return ok ? 0 : 1;
}

int fail_at_step_3() {
    auto model = make_model(0);
    const Data d = make_data(42);
    tn::Callback fail;
    fail.on_batch_end = [](int batch, float) {
        if (tn::distributed::rank() == 1 && batch == 2) throw std::runtime_error("rank 1 fails on purpose at step 3");
    };
    model->fit(d.x, d.y, {.epochs = 1000, .batch_size = kBatch, .callbacks = {fail}, .verbose = 0});
    std::printf("fit returned: rank 1 did not stop the job\n");
    return 1;
}

int infinite_loss_on_one_rank() {
    auto model = make_model(0);
    Data d = make_data(42);
    d.y[kBatch - 1] = 1e30f;  // the last row of the first batch: the last rank's share
    model->fit(d.x, d.y, {.epochs = 1000, .batch_size = kBatch, .shuffle = false, .verbose = 0});
    std::printf("fit returned: the infinite loss went unnoticed\n");
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    try {
        if (mode == "reference" && argc == 3) return reference(argv[2]);
        if (mode == "check" && argc == 4) return check(argv[2], argv[3]);
        if (mode == "throw") return fail_at_step_3();
        if (mode == "inf") return infinite_loss_on_one_rank();
    } catch (const std::exception& e) {
        // Returning would leave the other ranks waiting in their next collective call.
        if (tn::distributed::world_size() > 1) tn::distributed::abort("mpi_tests " + mode + ": " + e.what());
        std::fprintf(stderr, "mpi_tests %s: %s\n", mode.c_str(), e.what());
        return 1;
    }
    std::fprintf(stderr, "usage: mpi_tests reference DIR | check DIR TAG | throw | inf\n");
    return 2;
}
