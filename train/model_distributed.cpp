// Model's data-parallel training (train/model.h, docs/distributed.md): the replicas' start from
// rank 0's state, the fused gradient allreduce of one step, and the reduction of metric sums.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "core/rng.h"
#include "train/distributed.h"
#include "train/model.h"

namespace tn {

namespace {

// Seeds rank r's dropout stream apart from rank 0's (which keeps the single-process stream).
constexpr uint64_t kRankStream = 0x9E3779B97F4A7C15ULL;

// Every float of `ts` into one buffer and back (the weights, the optimizer's slots).
std::vector<float> pack(const std::vector<Tensor>& ts) {
    std::vector<float> buf;
    for (const Tensor& t : ts) buf.insert(buf.end(), t.data(), t.data() + t.numel());
    return buf;
}

void unpack(const std::vector<float>& buf, std::vector<Tensor>& ts) {
    size_t at = 0;
    for (Tensor& t : ts) {
        std::copy(buf.begin() + static_cast<std::ptrdiff_t>(at), buf.begin() + static_cast<std::ptrdiff_t>(at + t.numel()),
                  t.data());
        at += static_cast<size_t>(t.numel());
    }
}

void broadcast_tensors(std::vector<Tensor>& ts) {
    std::vector<float> buf = pack(ts);
    distributed::broadcast(buf);
    unpack(buf, ts);
}

}  // namespace

void Model::synchronize_replicas() {
    // Weights.
    std::vector<Tensor> weights;
    for (const Param& p : params()) weights.push_back(p.value);
    broadcast_tensors(weights);

    // Optimizer: the step count, which slots rank 0 holds, and their values.
    const std::vector<std::string> slot_names = optimizer().slot_names();
    OptimizerState state = optimizer().state();
    std::vector<std::string> keys;
    for (const Param& p : params())
        for (const std::string& s : slot_names) keys.push_back(p.name + "/" + s);
    std::vector<uint64_t> head{static_cast<uint64_t>(state.iterations)};
    for (const std::string& k : keys) head.push_back(state.slots.count(k));
    distributed::broadcast(head);
    {
        OptimizerState synced;
        synced.iterations = static_cast<int64_t>(head[0]);
        std::vector<Tensor> slots;
        const std::vector<Param> ps = params();
        for (size_t i = 0; i < keys.size(); ++i) {
            if (!head[i + 1]) continue;
            const auto it = state.slots.find(keys[i]);
            Tensor t = it != state.slots.end() ? it->second : Tensor::zeros(ps[i / slot_names.size()].value.shape());
            slots.push_back(t);
            synced.slots.emplace(keys[i], t);
        }
        broadcast_tensors(slots);
        optimizer().load_state(synced);
    }

    // Shuffling: rank 0's generator, so that every rank draws the same permutation.
    const auto shuffle = shuffle_rng_.state();
    std::vector<uint64_t> words(shuffle.begin(), shuffle.end());
    distributed::broadcast(words);
    std::array<uint64_t, 6> synced_shuffle{};
    std::copy(words.begin(), words.end(), synced_shuffle.begin());
    shuffle_rng_.set_state(synced_shuffle);

    // Dropout: a stream of each rank's own (rank 0 keeps the one a single process would use).
    if (const int r = distributed::rank(); r > 0)
        for (const auto& layer : layers())
            if (Rng* rng = layer->random_generator()) *rng = Rng(rng->state()[0] ^ (kRankStream * static_cast<uint64_t>(r)));
}

bool Model::any_rank_stops() const {
    double stop[1] = {stop_training ? 1.0 : 0.0};
    distributed::allreduce_sum(stop);
    return stop[0] > 0;
}

Model::BatchResult Model::train_step_distributed(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                                                 int64_t local, int64_t global, const std::vector<OutputLoss>& losses) {
    BatchResult r;
    const size_t k_out = losses.size();
    r.output_losses.assign(k_out, 0.0f);
    r.correct.assign(k_out, 0);
    r.counted.assign(k_out, 0);
    zero_grad();
    if (local > 0) compute_gradients(x, y, losses, r);

    // The buffer: n_r * gradient of every parameter, one has-gradient flag per parameter, then
    // n_r * loss, n_r * each output's loss, the correct and counted predictions, the stop flag.
    const std::vector<Param> ps = params();
    size_t size = 0;
    for (const Param& p : ps) size += static_cast<size_t>(p.value.numel());
    const size_t flags_at = size, tail_at = size + ps.size();
    std::vector<float>& buf = step_buffer_;
    buf.assign(tail_at + 2 + 3 * k_out, 0.0f);
    const auto n_r = static_cast<float>(local);
    size_t at = 0;
    for (size_t i = 0; i < ps.size(); ++i) {
        const GradSlot& g = ps[i].value.grad_slot();
        if (g && g->has()) {
            for (size_t j = 0; j < g->g.size(); ++j) buf[at + j] = g->g[j] * n_r;
            buf[flags_at + i] = 1;
        }
        at += static_cast<size_t>(ps[i].value.numel());
    }
    float* tail = buf.data() + tail_at;
    tail[0] = local > 0 ? r.loss * n_r : 0.0f;
    for (size_t k = 0; k < k_out; ++k) {
        tail[1 + k] = r.output_losses[k] * n_r;
        tail[1 + k_out + k] = static_cast<float>(r.correct[k]);
        tail[1 + 2 * k_out + k] = static_cast<float>(r.counted[k]);
    }
    tail[1 + 3 * k_out] = stop_training ? 1.0f : 0.0f;

    distributed::allreduce_sum(buf);  // the one collective call of the step

    const auto n = static_cast<float>(global);
    r.loss = tail[0] / n;
    for (size_t k = 0; k < k_out; ++k) {
        r.output_losses[k] = tail[1 + k] / n;
        r.correct[k] = static_cast<int64_t>(tail[1 + k_out + k]);
        r.counted[k] = static_cast<int64_t>(tail[1 + 2 * k_out + k]);
    }
    r.stop = tail[1 + 3 * k_out] > 0;
    if (r.stop || !std::isfinite(r.loss)) return r;  // the same on every rank: no step
    at = 0;
    for (size_t i = 0; i < ps.size(); ++i) {
        const auto numel = static_cast<size_t>(ps[i].value.numel());
        if (buf[flags_at + i] > 0) {
            float* g = ps[i].value.grad_slot()->acc(static_cast<int64_t>(numel));
            for (size_t j = 0; j < numel; ++j) g[j] = buf[at + j] / n;
        }
        at += numel;
    }
    step_if_finite(ps, r);
    return r;
}

void Model::reduce_over_ranks(EpochSums& sums, size_t outputs) const {
    sums.output_losses.resize(outputs, 0.0);
    sums.correct.resize(outputs, 0);
    sums.counted.resize(outputs, 0);
    std::vector<double> buf{sums.loss, static_cast<double>(sums.seen)};
    for (size_t k = 0; k < outputs; ++k) {
        buf.push_back(sums.output_losses[k]);
        buf.push_back(static_cast<double>(sums.correct[k]));
        buf.push_back(static_cast<double>(sums.counted[k]));
    }
    distributed::allreduce_sum(buf);
    sums.loss = buf[0];
    sums.seen = static_cast<int64_t>(buf[1]);
    for (size_t k = 0; k < outputs; ++k) {
        sums.output_losses[k] = buf[2 + 3 * k];
        sums.correct[k] = static_cast<int64_t>(buf[3 + 3 * k]);
        sums.counted[k] = static_cast<int64_t>(buf[4 + 3 * k]);
    }
}

}  // namespace tn
