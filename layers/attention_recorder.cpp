#include "layers/attention_recorder.h"

#include <cstring>

#include "core/error.h"

namespace tn {

namespace {

// The (b_i, T) batches stacked into one (sum b_i, T) tensor.
Tensor stack_rows(const std::vector<Tensor>& batches) {
    int64_t rows = 0;
    for (const Tensor& b : batches) {
        if (b.ndim() != 2 || b.dim(1) != batches[0].dim(1))
            shape_error("attention recorder", "weights of shape " + shape_str(b.shape()) + " after batches of " +
                                                  shape_str(batches[0].shape()));
        rows += b.dim(0);
    }
    Tensor out = Tensor::empty({rows, batches[0].dim(1)});
    float* at = out.data();
    for (const Tensor& b : batches) {
        std::memcpy(at, b.data(), static_cast<size_t>(b.numel()) * sizeof(float));
        at += b.numel();
    }
    return out;
}

}  // namespace

NodeObserver AttentionRecorder::observer() {
    return [this](const NodeRun& run) { record(run); };
}

void AttentionRecorder::record(const NodeRun& run) {
    const auto* attention = dynamic_cast<const Attention*>(run.node.layer);
    if (!attention) return;
    const Tensor weights = attention->return_attention_scores()
                               ? run.outputs.at(1)
                               : attention->attend(run.inputs.at(0), run.masks.empty() ? Tensor() : run.masks[0]).weights;
    for (Node& n : nodes_)
        if (n.layer == attention && n.node_index == run.node.node_index) {
            n.batches.push_back(weights);
            return;
        }
    nodes_.push_back({attention, run.node.node_index, {weights}});
}

std::vector<RecordedAttention> AttentionRecorder::recorded() const {
    std::vector<RecordedAttention> out;
    for (const Node& n : nodes_) out.push_back({n.layer, n.node_index, stack_rows(n.batches)});
    return out;
}

}  // namespace tn
