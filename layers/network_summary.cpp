// Network::summary: the rows of Keras' summary table (layers/summary.h) from the graph. A
// Sequential network lists its layers; a functional one lists every layer once (InputLayers
// included), at its first node, and adds the "Connected to" column unless its graph is a plain
// chain, which Keras prints as it prints a Sequential model.
#include <algorithm>
#include <unordered_set>

#include "core/error.h"
#include "layers/network.h"
#include "layers/summary.h"

namespace tn {

namespace {

// Keras' test (print_summary's sequential_like): no two nodes at the same depth (the longest path
// to an output), no node with several inputs, no layer applied twice.
bool chain_like(const std::vector<GraphNode>& nodes) {
    std::vector<size_t> depth(nodes.size(), 0);
    for (size_t n = nodes.size(); n-- > 0;)  // consumers come after their inputs
        for (const GraphNode::Ref& r : nodes[n].inputs) depth[r.node] = std::max(depth[r.node], depth[n] + 1);
    std::unordered_set<size_t> depths;
    std::unordered_set<const Layer*> layers;
    for (size_t n = 0; n < nodes.size(); ++n)
        if (nodes[n].inputs.size() > 1 || !depths.insert(depth[n]).second || !layers.insert(nodes[n].layer).second)
            return false;
    return true;
}

// The layer's output shape as Keras' layer.output_shape prints it: a list for an InputLayer or a
// layer with several outputs, "multiple" when its nodes disagree.
std::string output_shape_text(const std::vector<const GraphNode*>& nodes) {
    for (const GraphNode* g : nodes)
        if (g->output_shapes != nodes[0]->output_shapes) return "multiple";
    const std::vector<Shape>& shapes = nodes[0]->output_shapes;
    const bool list = shapes.size() != 1 || nodes[0]->inputs.empty();
    return list ? keras_shapes(shapes) : keras_shape(shapes[0]);
}

}  // namespace

std::string Network::summary() {
    if (!built())
        value_error("model", "summary() needs the input shape: call build({-1, ...}) or fit() first");
    const std::vector<GraphNode>& nodes = graph_.nodes;
    const bool connections = !sequential_ && !chain_like(nodes);
    std::vector<const Layer*> order;  // each layer at its first node
    for (const GraphNode& g : nodes)
        if ((!sequential_ || !g.inputs.empty()) && std::find(order.begin(), order.end(), g.layer) == order.end())
            order.push_back(g.layer);
    std::vector<SummaryRow> rows;
    for (const Layer* layer : order) {
        std::vector<const GraphNode*> applied;
        SummaryRow row{layer->name(), layer->class_name(), "", layer->count_params(), {}};
        for (const GraphNode& g : nodes) {
            if (g.layer != layer) continue;
            applied.push_back(&g);
            for (const GraphNode::Ref& r : g.inputs)
                row.connected_to.push_back(nodes[r.node].layer->name() + "[" + std::to_string(nodes[r.node].node_index) +
                                           "][" + std::to_string(r.tensor) + "]");
        }
        row.output_shape = sequential_ ? keras_shape(applied[0]->output_shapes[0]) : output_shape_text(applied);
        rows.push_back(std::move(row));
    }
    return summary_table(rows, name_, connections);
}

}  // namespace tn
