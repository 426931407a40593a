// tapenet layers: the attention weights of every Attention node of a network, recorded while it
// predicts (through Network::predict's node observer).
//
//   tn::AttentionRecorder recorder;
//   std::vector<tn::Tensor> y = net.predict({x}, /*batch_size=*/64, recorder.observer());
//   for (const tn::RecordedAttention& a : recorder.recorded())
//       save(a.layer->name(), a.weights);               // (N, T): row i is sample i's alpha
//
// The weights are those of the run itself: with return_attention_scores the layer's second
// output, otherwise Attention::attend on the very inputs and mask the node received (a pure
// function: the same alpha the node computed). Nodes are listed in the order they first run; a
// shared Attention applied twice records two nodes (node_index 0 and 1). Every batch's rows are
// appended in order, so the weights line up with the samples of the prediction.
#pragma once

#include <cstddef>
#include <vector>

#include "layers/attention.h"
#include "layers/network.h"

namespace tn {

struct RecordedAttention {
    const Attention* layer = nullptr;
    size_t node_index = 0;  // which application of the layer (0 unless it is shared)
    Tensor weights;         // (N, T): the rows of every batch so far
};

class AttentionRecorder {
public:
    // An observer that records into this recorder (which must outlive the predict call).
    NodeObserver observer();
    // Every node seen so far with the weights of all its batches, concatenated.
    std::vector<RecordedAttention> recorded() const;

private:
    struct Node {
        const Attention* layer;
        size_t node_index;
        std::vector<Tensor> batches;  // (b, T) each
    };
    void record(const NodeRun& run);
    std::vector<Node> nodes_;
};

}  // namespace tn
