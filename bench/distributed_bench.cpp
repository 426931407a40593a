#include "bench/distributed_bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "bench/bench_models.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "train/distributed.h"

namespace tn::bench {

namespace {

// Every input's rows and the targets' rows of all batches (x: one tensor per model input).
void stack_batches(const std::vector<Batch>& batches, std::vector<Tensor>& x, Tensor& y) {
    for (size_t i = 0; i < batches[0].x.size(); ++i) {
        std::vector<Tensor> parts;
        for (const Batch& b : batches) parts.push_back(b.x[i]);
        x.push_back(concat(parts, 0));
    }
    std::vector<Tensor> targets;
    for (const Batch& b : batches) targets.push_back(b.y);
    y = concat(targets, 0);
}

double median_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int run_distributed(const std::string& name, int steps, int repeats) {
    set_num_threads(1);
    const ModelSpec& spec = model_spec(name);
    const int ranks = distributed::world_size();
    const int64_t global_batch = spec.batch * ranks;
    // Every rank draws the same data (the same seed); fit gives each its share of every batch.
    const std::vector<Batch> batches = make_batches(spec, steps * ranks, /*seed=*/7);
    std::vector<Tensor> x;
    Tensor y;
    stack_batches(batches, x, y);
    std::unique_ptr<Model> model = make_model(spec, /*seed=*/0);
    const FitOptions one_epoch{.epochs = 1, .batch_size = global_batch, .shuffle = false, .verbose = 0};
    std::vector<Tensor> x_warm;  // the first two steps
    for (const Tensor& t : x) x_warm.push_back(slice(t, 0, 0, 2 * global_batch));
    model->fit(x_warm, slice(y, 0, 0, 2 * global_batch), one_epoch);

    std::vector<double> seconds, allreduce_seconds, allreduce_bytes;
    for (int r = 0; r < repeats; ++r) {
        distributed::reset_stats();
        const auto start = std::chrono::steady_clock::now();
        model->fit(x, y, one_epoch);
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        const distributed::Stats s = distributed::stats();
        allreduce_seconds.push_back(s.allreduce_seconds / steps);
        allreduce_bytes.push_back(static_cast<double>(s.allreduce_bytes) / steps);
    }
    if (distributed::is_root()) {
        const double t = median_of(seconds);
        std::printf("RESULT model=%s ranks=%d per_rank_batch=%lld samples_per_s=%.2f step_ms=%.3f allreduce_ms_per_step=%.4f "
                    "allreduce_bytes_per_step=%.0f\n",
                    name.c_str(), ranks, static_cast<long long>(spec.batch), static_cast<double>(steps * global_batch) / t,
                    1e3 * t / steps, 1e3 * median_of(allreduce_seconds), median_of(allreduce_bytes));
        std::fflush(stdout);
    }
    return 0;
}

}  // namespace tn::bench
