// tapenet layers: Network, a graph of layers (Keras' functional Model) with its structure,
// parameters and inference. Training (compile, fit, evaluate) is train/model.h's Model, a Network
// with a loss and an optimizer.
//
// Two ways to make one, as in Keras:
//
//   // functional (layers/graph.h): any graph from inputs to outputs; the layers are built at once
//   auto a = tn::Input({20, 4}), b = tn::Input({20, 4});
//   auto shared = tn::layer<tn::Dense>(8);
//   auto y = tn::layer<tn::Add>()({shared(a), shared(b)});   // one Dense, applied twice
//   tn::Network net({a, b}, y, "two_inputs", /*seed=*/7);
//   std::vector<tn::Tensor> out = net.predict({xa, xb});
//
//   // Sequential: a stack; the graph is the chain input -> layer 0 -> layer 1 -> ..., made by
//   // build() (or the first forward) from the input shape
//   tn::Network seq(/*seed=*/7);
//   seq.add<tn::LSTM>(32, /*return_sequences=*/true);       // named "lstm"
//   seq.add<tn::Dense>(1);                                  // "dense" (a second Dense would be "dense_1")
//   seq.build({-1, 20, 1});
//   tn::Tensor y_hat = seq.predict(x);
//
// Both run through the same forward: the nodes in creation order, each taking the outputs (and the
// masks, Layer::compute_masks) of the nodes it reads. layers() lists every layer once, in the order
// of its first node, without the InputLayers.
//
// The network seed seeds layer i with seed + i (its initial weights and its dropout), so the same
// seed builds bit-identical weights on the same machine.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/param.h"
#include "core/tensor.h"
#include "layers/graph.h"
#include "layers/input_layer.h"
#include "layers/layer.h"

namespace tn {

// One node of a network's graph, with its inputs as positions in the node list.
struct GraphNode {
    struct Ref {
        size_t node = 0;    // position in Network::nodes()
        size_t tensor = 0;  // which output of that node
    };
    Layer* layer = nullptr;
    size_t node_index = 0;  // the how-many-th application of this layer (Keras' node_index)
    std::vector<Ref> inputs;
    std::vector<Shape> output_shapes;
};

// The nodes of a graph in creation order, where its inputs and outputs are, and the InputLayers.
struct Graph {
    std::vector<GraphNode> nodes;
    std::vector<size_t> input_nodes;
    std::vector<GraphNode::Ref> outputs;
    std::vector<std::shared_ptr<Layer>> input_layers;
};

// What a forward shows of each node it runs (Network::predict's `observe`): the node, what went in
// (its inputs and their masks) and what came out. Called in graph order, once per node and batch.
struct NodeRun {
    const GraphNode& node;
    const std::vector<Tensor>& inputs;
    const std::vector<Tensor>& masks;
    const std::vector<Tensor>& outputs;
};
using NodeObserver = std::function<void(const NodeRun&)>;

// One tensor per output of a network: what forward and predict return for a list of inputs. As
// Keras' predict gives a single-output model's array itself rather than a list of one, it converts
// to a Tensor when it holds exactly one (several: a ValueError; index them instead).
class Tensors : public std::vector<Tensor> {
public:
    Tensors() = default;
    explicit Tensors(std::vector<Tensor> v) : std::vector<Tensor>(std::move(v)) {}
    operator Tensor() const;  // NOLINT: a single output reads as that tensor
};

class Network {
public:
    // An empty Sequential network: add layers, then build (or fit).
    explicit Network(uint64_t seed = 0, std::string name = "sequential");
    // A functional network from the symbolic inputs to the outputs (layers/graph.h). Names the
    // layers uniquely (InputLayers too: a second tn::Input left unnamed becomes "input_1"), seeds
    // and builds them. Throws a ValueError if an output depends on an input
    // that is not listed.
    Network(const KerasTensors& inputs, const KerasTensors& outputs, std::string name = "model", uint64_t seed = 0);
    virtual ~Network() = default;
    // Makes an empty network the functional graph from `inputs` to `outputs` (what the functional
    // constructor does; the model loader uses it).
    void set_graph(const KerasTensors& inputs, const KerasTensors& outputs);
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    // ---- structure ----
    // Appends a layer to a Sequential network and gives it a unique Keras-style name: a layer still
    // carrying its default name ("dense") becomes "dense", "dense_1", ...; a custom name that is
    // taken throws.
    Layer& add(std::unique_ptr<Layer> layer);
    template <class T, class... Args>
    T& add(Args&&... args) {
        auto layer = std::make_unique<T>(std::forward<Args>(args)...);
        T& ref = *layer;
        add(std::move(layer));
        return ref;
    }
    bool sequential() const { return sequential_; }

    // Seeds layer i with seed + i (layers already built keep their weights).
    virtual void set_seed(uint64_t seed);
    uint64_t seed() const { return seed_; }
    const std::string& name() const { return name_; }
    void set_name(std::string name) { name_ = std::move(name); }

    // Sequential: builds every layer for this input shape (batch first, -1 = any), as Keras'
    // model.build. A functional network is built already (its shape must match, if given).
    void build(const Shape& input_shape);
    bool built() const { return !graph_.nodes.empty(); }
    const Shape& input_shape() const;  // the first input's, batch axis -1
    // The Keras summary table (layers/summary.h). Needs build() (or fit) first.
    std::string summary();

    // ---- the graph ----
    const std::vector<GraphNode>& nodes() const { return graph_.nodes; }
    // Positions in nodes() of the InputLayer nodes, in the order of the model's inputs.
    const std::vector<size_t>& input_nodes() const { return graph_.input_nodes; }
    const std::vector<GraphNode::Ref>& outputs() const { return graph_.outputs; }
    const InputLayer& input_layer(size_t i) const;
    // The layer that makes output `i`.
    const Layer& output_layer(size_t i) const { return *graph_.nodes.at(graph_.outputs.at(i).node).layer; }

    // ---- layers and parameters ----
    const std::vector<std::shared_ptr<Layer>>& layers() const { return layers_; }
    Layer& layer(const std::string& name);             // throws listing the names
    template <class T>
    T* find() {                                         // the first layer of type T, or nullptr
        for (auto& l : layers_)
            if (auto* t = dynamic_cast<T*>(l.get())) return t;
        return nullptr;
    }
    template <class T>
    T& layer() {                                        // the first layer of type T, or throws
        if (T* t = find<T>()) return *t;
        throw_no_layer_of_type();
    }
    // Every parameter with its full name "<layer>/<param>" ("lstm/kernel"), in layer order. The
    // tensors are handles sharing the layers' storage: writing into them changes the network.
    std::vector<Param> params() const;
    int64_t count_params() const;
    void zero_grad();

    // ---- inference ----
    // One forward pass through the graph (recorded on the tape unless under NoGrad): one tensor per
    // input, one per output. The single-tensor form needs one input and one output.
    Tensors forward(const std::vector<Tensor>& inputs, bool training = false);
    Tensors forward(std::initializer_list<Tensor> inputs, bool training = false);
    Tensor forward(const Tensor& x, bool training = false);
    // The outputs for the inputs (B, ...), computed in batches under NoGrad and concatenated.
    // `observe`, when given, sees every node of every batch run (e.g. layers/attention_recorder.h).
    // A braced list is a list of inputs, as a vector: predict({x}) gives every output of a model
    // with one input (a Tensor when there is one output, as Keras' predict([x]) gives an array),
    // predict(x) the only output.
    Tensors predict(const std::vector<Tensor>& inputs, int64_t batch_size = 32, const NodeObserver& observe = {});
    Tensors predict(std::initializer_list<Tensor> inputs, int64_t batch_size = 32, const NodeObserver& observe = {});
    Tensor predict(const Tensor& x, int64_t batch_size = 32);

protected:
    // The forward; output i is given before its sigmoid when logits[i] is set and a Dense with a
    // sigmoid makes it (Model's binary_crossentropy from logits). `logits` may be shorter than the
    // outputs (missing = false). `observe`, if set, sees every node's run.
    std::vector<Tensor> run(const std::vector<Tensor>& inputs, bool training, const std::vector<bool>& logits = {},
                            const NodeObserver& observe = {});

private:
    [[noreturn]] void throw_no_layer_of_type() const;
    std::string unique_name(const std::string& base);
    // Names the layer `base` made unique when it has no name or that default one; else refuses a
    // name already taken. Records the name.
    void claim_name(Layer& layer, const std::string& base);
    void adopt(const std::shared_ptr<Layer>& layer);  // names, seeds and lists a layer
    void adopt_input(const std::shared_ptr<Layer>& input);  // names an InputLayer uniquely and lists it
    Graph make_chain(const Shape& input_shape) const;   // Sequential: the graph of the stack
    std::vector<Tensor> run_graph(const Graph& graph, const std::vector<Tensor>& inputs, bool training,
                                  const std::vector<bool>& logits, const NodeObserver& observe) const;

    uint64_t seed_;
    std::string name_;
    bool sequential_ = true;
    std::vector<std::shared_ptr<Layer>> layers_;
    std::unordered_set<std::string> names_;
    std::unordered_map<std::string, int> next_suffix_;
    Graph graph_;
};

// Rows `rows` of x (along axis 0) copied into a new tensor (no gradient): how predict and fit make
// batches.
Tensor take_rows(const Tensor& x, const std::vector<int64_t>& rows);

}  // namespace tn
