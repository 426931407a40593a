// Network's forward and predict: one pass over the graph's nodes, shared by Sequential and
// functional networks (layers/network.h).
#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/ops.h"
#include "core/tape.h"
#include "layers/dense.h"
#include "layers/network.h"

namespace tn {

namespace {

// Whether `node` makes an output that is asked for as logits (the Dense whose sigmoid the logits
// form skips).
bool wants_logits(size_t node, const std::vector<GraphNode::Ref>& outputs, const std::vector<bool>& logits) {
    for (size_t i = 0; i < outputs.size() && i < logits.size(); ++i)
        if (logits[i] && outputs[i].node == node) return true;
    return false;
}

}  // namespace

std::vector<Tensor> Network::run(const std::vector<Tensor>& inputs, bool training, const std::vector<bool>& logits,
                                 const NodeObserver& observe) {
    if (built()) return run_graph(graph_, inputs, training, logits, observe);
    // A Sequential stack called before build(): the chain for this input's shape, kept for this
    // call only (as before build, each call may have other sizes).
    if (layers_.empty()) value_error("model", "has no layers; add some with add()");
    if (inputs.size() != 1 || !inputs[0].defined())
        value_error("model", "a Sequential model takes one input, got " + std::to_string(inputs.size()));
    Shape shape = inputs[0].shape();
    shape[0] = -1;
    return run_graph(make_chain(shape), inputs, training, logits, observe);
}

std::vector<Tensor> Network::run_graph(const Graph& graph, const std::vector<Tensor>& inputs, bool training,
                                       const std::vector<bool>& logits, const NodeObserver& observe) const {
    if (inputs.size() != graph.input_nodes.size())
        value_error("model", "takes " + std::to_string(graph.input_nodes.size()) + " inputs, got " + std::to_string(inputs.size()));
    std::vector<std::vector<Tensor>> values(graph.nodes.size()), masks(graph.nodes.size());
    std::vector<Tensor> node_logits(graph.nodes.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].defined()) value_error("model", "input " + std::to_string(i) + " is undefined");
        static_cast<const InputLayer&>(*graph.nodes[graph.input_nodes[i]].layer).check(inputs[i].shape());
        values[graph.input_nodes[i]] = {inputs[i]};
        masks[graph.input_nodes[i]] = {Tensor()};
    }
    for (size_t k = 0; k < graph.nodes.size(); ++k) {
        const GraphNode& g = graph.nodes[k];
        if (g.inputs.empty()) continue;
        std::vector<Tensor> in, in_masks;
        for (const GraphNode::Ref& r : g.inputs) {
            in.push_back(values[r.node].at(r.tensor));
            in_masks.push_back(r.tensor < masks[r.node].size() ? masks[r.node][r.tensor] : Tensor());
        }
        const auto* dense = wants_logits(k, graph.outputs, logits) ? dynamic_cast<const Dense*>(g.layer) : nullptr;
        if (dense && dense->activation() == ActivationKind::sigmoid) {
            g.layer->build(in[0].shape());
            node_logits[k] = dense->logits(in[0]);  // the Dense without its sigmoid
            values[k] = {sigmoid(node_logits[k])};  // for the layers that read it
        } else {
            values[k] = g.layer->forward_all(in, in_masks, training);
        }
        masks[k] = g.layer->compute_masks(in, in_masks);
        if (observe) observe(NodeRun{g, in, in_masks, values[k]});
    }
    std::vector<Tensor> out;
    for (size_t i = 0; i < graph.outputs.size(); ++i) {
        const GraphNode::Ref& r = graph.outputs[i];
        const bool as_logits = i < logits.size() && logits[i] && node_logits[r.node].defined();
        out.push_back(as_logits ? node_logits[r.node] : values[r.node].at(r.tensor));
    }
    return out;
}

Tensors::operator Tensor() const {
    if (size() != 1)
        value_error("model", "has " + std::to_string(size()) + " outputs, not one: index them, e.g. outputs[0]");
    return front();
}

Tensors Network::forward(const std::vector<Tensor>& inputs, bool training) { return Tensors(run(inputs, training)); }

Tensors Network::forward(std::initializer_list<Tensor> inputs, bool training) {
    return forward(std::vector<Tensor>(inputs), training);
}

Tensor Network::forward(const Tensor& x, bool training) {
    if (built() && (graph_.input_nodes.size() != 1 || graph_.outputs.size() != 1))
        value_error("model", "has " + std::to_string(graph_.input_nodes.size()) + " inputs and " +
                                 std::to_string(graph_.outputs.size()) + " outputs: use forward({x, ...})");
    return run({x}, training)[0];
}

Tensors Network::predict(std::initializer_list<Tensor> inputs, int64_t batch_size, const NodeObserver& observe) {
    return predict(std::vector<Tensor>(inputs), batch_size, observe);
}

Tensors Network::predict(const std::vector<Tensor>& inputs, int64_t batch_size, const NodeObserver& observe) {
    if (inputs.empty()) value_error("model.predict", "got no inputs");
    for (const Tensor& x : inputs)
        if (!x.defined() || x.ndim() < 1 || x.dim(0) == 0 || x.dim(0) != inputs[0].dim(0))
            shape_error("model.predict", "every input needs the same number (> 0) of samples along its first axis");
    if (batch_size <= 0) value_error("model.predict", "batch_size must be > 0, got " + std::to_string(batch_size));
    NoGrad no_grad;
    const int64_t n = inputs[0].dim(0);
    Tensors results;
    for (int64_t start = 0; start < n; start += batch_size) {
        const int64_t end = std::min(n, start + batch_size);
        std::vector<int64_t> rows(static_cast<size_t>(end - start));
        for (int64_t i = start; i < end; ++i) rows[static_cast<size_t>(i - start)] = i;
        std::vector<Tensor> batch;
        for (const Tensor& x : inputs) batch.push_back(take_rows(x, rows));
        const std::vector<Tensor> outs = run(batch, /*training=*/false, /*logits=*/{}, observe);
        results.resize(outs.size());
        for (size_t k = 0; k < outs.size(); ++k) {
            const Tensor& out = outs[k];
            if (!results[k].defined()) {
                Shape shape = out.shape();
                if (shape.empty()) shape_error("model.predict", "an output has no batch axis");
                shape[0] = n;
                results[k] = Tensor(shape);
            }
            const int64_t row_size = results[k].numel() / n;
            if (out.ndim() < 1 || out.dim(0) != end - start || out.numel() != (end - start) * row_size)
                shape_error("model.predict", "the output of a batch of " + std::to_string(end - start) +
                                                 " samples has shape " + shape_str(out.shape()));
            std::memcpy(results[k].data() + start * row_size, out.data(), static_cast<size_t>(out.numel()) * sizeof(float));
        }
    }
    return results;
}

Tensor Network::predict(const Tensor& x, int64_t batch_size) {
    if (!x.defined() || x.ndim() < 1 || x.dim(0) == 0)
        shape_error("model.predict", "x needs at least one sample along its first axis");
    const Tensors out = predict(std::vector<Tensor>{x}, batch_size);
    if (out.size() != 1)
        value_error("model.predict", "the model has " + std::to_string(out.size()) + " outputs: predict({x}) gives them all");
    return out[0];
}

}  // namespace tn
