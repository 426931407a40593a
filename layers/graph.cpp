#include "layers/graph.h"

#include <atomic>

#include "core/error.h"
#include "layers/input_layer.h"

namespace tn {

namespace {

uint64_t next_node_id() {
    static std::atomic<uint64_t> counter{0};
    return ++counter;
}

}  // namespace

const Shape& KerasTensor::shape() const {
    if (!node_) value_error("KerasTensor", "is undefined (a default-constructed symbolic tensor)");
    return node_->output_shapes.at(index_);
}

KerasTensors::operator KerasTensor() const {
    if (size() != 1)
        value_error("KerasTensors", "holds " + std::to_string(size()) +
                                        " tensors (a layer with several outputs): index them, e.g. outputs[0]");
    return front();
}

KerasTensor Input(const Shape& shape, const std::string& name) {
    Shape batch_shape{-1};
    batch_shape.insert(batch_shape.end(), shape.begin(), shape.end());
    auto node = std::make_shared<Node>();
    node->layer = std::make_shared<InputLayer>(batch_shape, name.empty() ? "input" : name);
    node->output_shapes = {static_cast<const InputLayer&>(*node->layer).batch_input_shape()};
    node->id = next_node_id();
    return KerasTensor(std::move(node), 0);
}

KerasTensors apply_layer(const std::shared_ptr<Layer>& layer, const KerasTensors& inputs) {
    if (!layer) value_error("apply_layer", "got a null layer");
    if (inputs.empty()) value_error(layer->name(), "was called on no inputs");
    if (dynamic_cast<const InputLayer*>(layer.get()))
        value_error(layer->name(), "is an InputLayer; make inputs with tn::Input(shape)");
    std::vector<Shape> shapes;
    for (const KerasTensor& t : inputs) shapes.push_back(t.shape());
    auto node = std::make_shared<Node>();
    node->layer = layer;
    node->inputs = inputs;
    node->output_shapes = layer->output_shapes(shapes);
    node->id = next_node_id();
    KerasTensors outputs;
    for (size_t i = 0; i < node->output_shapes.size(); ++i) outputs.emplace_back(node, i);
    return outputs;
}

}  // namespace tn
