#include "layers/network.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <stdexcept>

#include "core/error.h"
#include "core/tape.h"
#include "layers/dense.h"

namespace tn {

namespace {

// Keras' default layer name for a class: "Dense" -> "dense", "LSTM" -> "lstm", "LSTMCell" -> "lstm_cell".
std::string snake_case(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (i > 0 && std::isupper(c)) {
            const auto prev = static_cast<unsigned char>(s[i - 1]);
            const bool next_lower = i + 1 < s.size() && std::islower(static_cast<unsigned char>(s[i + 1]));
            if (std::islower(prev) || std::isdigit(prev) || (std::isupper(prev) && next_lower)) out += '_';
        }
        out += static_cast<char>(std::tolower(c));
    }
    return out;
}

// The nodes that lead to `outputs`, in creation order (so every node comes after its inputs).
std::vector<std::shared_ptr<const Node>> nodes_leading_to(const KerasTensors& outputs) {
    std::map<uint64_t, std::shared_ptr<const Node>> found;
    std::vector<std::shared_ptr<const Node>> todo;
    for (const KerasTensor& t : outputs) todo.push_back(t.node());
    while (!todo.empty()) {
        std::shared_ptr<const Node> n = std::move(todo.back());
        todo.pop_back();
        if (!n || !found.emplace(n->id, n).second) continue;
        for (const KerasTensor& t : n->inputs) todo.push_back(t.node());
    }
    std::vector<std::shared_ptr<const Node>> order;
    for (auto& [id, n] : found) order.push_back(n);
    return order;
}

}  // namespace

Tensor take_rows(const Tensor& x, const std::vector<int64_t>& rows) {
    if (!x.defined() || x.ndim() < 1) shape_error("take_rows", "needs a tensor with a first (sample) axis");
    const int64_t n = x.dim(0);
    const int64_t row_size = n > 0 ? x.numel() / n : 0;
    Shape shape = x.shape();
    shape[0] = static_cast<int64_t>(rows.size());
    Tensor out(shape);
    for (size_t k = 0; k < rows.size(); ++k) {
        if (rows[k] < 0 || rows[k] >= n)
            shape_error("take_rows", "row " + std::to_string(rows[k]) + " is out of range for shape " +
                                         shape_str(x.shape()));
        std::memcpy(out.data() + static_cast<int64_t>(k) * row_size, x.data() + rows[k] * row_size,
                    static_cast<size_t>(row_size) * sizeof(float));
    }
    return out;
}

Network::Network(uint64_t seed, std::string name) : seed_(seed), name_(std::move(name)) {}

Network::Network(const KerasTensors& inputs, const KerasTensors& outputs, std::string name, uint64_t seed)
    : seed_(seed), name_(std::move(name)) {
    set_graph(inputs, outputs);
}

void Network::set_graph(const KerasTensors& inputs, const KerasTensors& outputs) {
    if (!layers_.empty() || built()) value_error("model", "set_graph needs an empty network");
    if (inputs.empty() || outputs.empty()) value_error("model", "needs at least one input and one output");
    sequential_ = false;
    std::map<const Node*, size_t> position;
    for (const auto& node : nodes_leading_to(outputs)) {
        GraphNode g;
        g.layer = node->layer.get();
        g.output_shapes = node->output_shapes;
        for (const KerasTensor& t : node->inputs) g.inputs.push_back({position.at(t.node().get()), t.index()});
        if (node->inputs.empty()) {
            const auto it = std::find_if(inputs.begin(), inputs.end(), [&](const KerasTensor& t) { return t.node() == node; });
            if (it == inputs.end())
                value_error("model", "graph disconnected: the input '" + node->layer->name() +
                                         "' that an output depends on is not among the model's inputs");
            adopt_input(node->layer);
        } else {
            adopt(node->layer);
            g.node_index = static_cast<size_t>(std::count_if(graph_.nodes.begin(), graph_.nodes.end(),
                                                             [&](const GraphNode& o) { return o.layer == g.layer; }));
        }
        position[node.get()] = graph_.nodes.size();
        graph_.nodes.push_back(std::move(g));
    }
    for (const KerasTensor& t : inputs) {
        const auto it = position.find(t.node().get());
        if (!t.defined() || !t.node()->inputs.empty() || it == position.end())
            value_error("model", "every input must be a tn::Input that an output depends on");
        graph_.input_nodes.push_back(it->second);
    }
    for (const KerasTensor& t : outputs) graph_.outputs.push_back({position.at(t.node().get()), t.index()});
    for (const GraphNode& g : graph_.nodes)
        if (!g.inputs.empty()) g.layer->build(graph_.nodes[g.inputs[0].node].output_shapes[g.inputs[0].tensor]);
}

// ---- structure ----

std::string Network::unique_name(const std::string& base) {
    if (!names_.count(base)) return base;
    int& k = next_suffix_[base];
    std::string unique;
    do unique = base + "_" + std::to_string(++k);
    while (names_.count(unique));
    return unique;
}

void Network::claim_name(Layer& layer, const std::string& base) {
    if (layer.name().empty() || layer.name() == base) {
        layer.set_name(unique_name(base));
    } else if (names_.count(layer.name())) {
        value_error("model", "a layer named '" + layer.name() + "' is already in the model; names must be unique");
    }
    names_.insert(layer.name());
}

void Network::adopt(const std::shared_ptr<Layer>& layer) {
    if (std::find(layers_.begin(), layers_.end(), layer) != layers_.end()) return;  // shared: one more node
    claim_name(*layer, snake_case(layer->class_name()));
    if (!layer->built()) layer->set_seed(seed_ + layers_.size());
    layers_.push_back(layer);
}

void Network::adopt_input(const std::shared_ptr<Layer>& input) {
    claim_name(*input, "input");  // tn::Input's default name: "input", "input_1", ...
    graph_.input_layers.push_back(input);
}

Layer& Network::add(std::unique_ptr<Layer> layer) {
    if (!layer) value_error("model", "add() got a null layer");
    if (!sequential_) value_error("model", "add() is for Sequential models; a functional model is fixed by its graph");
    std::shared_ptr<Layer> shared(std::move(layer));
    adopt(shared);
    if (built()) graph_ = make_chain(input_shape());
    return *shared;
}

void Network::set_seed(uint64_t seed) {
    seed_ = seed;
    for (size_t i = 0; i < layers_.size(); ++i)
        if (!layers_[i]->built()) layers_[i]->set_seed(seed + i);
}

Graph Network::make_chain(const Shape& input_shape) const {
    if (input_shape.empty()) shape_error("model", "build() needs an input shape with a batch axis first, e.g. {-1, 20, 1}");
    Graph graph;
    graph.input_layers = {std::make_shared<InputLayer>(input_shape, "input")};
    std::vector<GraphNode>& nodes = graph.nodes;
    nodes.resize(1);
    nodes[0].layer = graph.input_layers[0].get();
    nodes[0].output_shapes = {static_cast<const InputLayer&>(*graph.input_layers[0]).batch_input_shape()};
    for (const auto& layer : layers_) {
        const Shape& in = nodes.back().output_shapes[0];
        layer->build(in);
        GraphNode g;
        g.layer = layer.get();
        g.inputs = {{nodes.size() - 1, 0}};
        g.output_shapes = {layer->output_shape(in)};
        nodes.push_back(std::move(g));
    }
    graph.input_nodes = {0};
    graph.outputs = {{nodes.size() - 1, 0}};
    return graph;
}

void Network::build(const Shape& input_shape) {
    if (layers_.empty() && sequential_) value_error("model", "has no layers; add some with add() before build()");
    if (!sequential_) {
        input_layer(0).check(input_shape);
        return;
    }
    graph_ = make_chain(input_shape);
}

const Shape& Network::input_shape() const {
    static const Shape none;
    return built() ? input_layer(0).batch_input_shape() : none;
}

const InputLayer& Network::input_layer(size_t i) const {
    return static_cast<const InputLayer&>(*graph_.nodes.at(graph_.input_nodes.at(i)).layer);
}

Layer& Network::layer(const std::string& name) {
    std::string names;
    for (auto& l : layers_) {
        if (l->name() == name) return *l;
        names += (names.empty() ? "" : ", ") + l->name();
    }
    value_error("model", "no layer named '" + name + "'; the layers are: " + (names.empty() ? "(none)" : names));
}

void Network::throw_no_layer_of_type() const {
    std::string names;
    for (auto& l : layers_) names += (names.empty() ? "" : ", ") + l->name() + " (" + l->class_name() + ")";
    value_error("model", "no layer of the requested type; the layers are: " + (names.empty() ? "(none)" : names));
}

std::vector<Param> Network::params() const {
    std::vector<Param> all;
    for (const auto& l : layers_)
        for (const Param& p : l->params()) all.push_back({l->name() + "/" + p.name, p.value});
    return all;
}

int64_t Network::count_params() const {
    int64_t n = 0;
    for (const auto& l : layers_) n += l->count_params();
    return n;
}

void Network::zero_grad() {
    for (auto& l : layers_)
        for (Param& p : l->params()) p.value.zero_grad();
}

}  // namespace tn
