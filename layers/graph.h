// tapenet layers: the functional API, Keras' way of wiring layers into a graph.
//
//   auto inputs = tn::Input({20, 1});                                   // (None, 20, 1): the batch is implicit
//   auto x = tn::layer<tn::LSTM>(64, /*return_sequences=*/true)(inputs);
//   x = tn::layer<tn::Attention>(32)(x);
//   auto outputs = tn::layer<tn::Dense>(1)(x);
//   tn::Model model(inputs, outputs, "readme");                         // train/model.h
//
// tn::layer<T>(args...) makes a layer (a shared handle, LayerRef<T>); calling it on one symbolic
// tensor or a list of them ({a, b}) records one application (a Node) and returns its outputs, as
// Keras' `layer(x)` does. Calling the same handle again applies the SAME layer: the two applications
// share its weights. An existing layer joins with tn::LayerRef<T>(std::shared_ptr<T>).
//
// A KerasTensor is symbolic: a shape (batch first, -1 = any) and the node that makes it. KerasTensors,
// a list of them, is what a call returns: one element per output of the layer (LSTM with
// return_state gives {y, h, c}); it converts to a single KerasTensor when it holds exactly one, and
// is built from one KerasTensor or a braced list, so `layer(x)`, `layer({a, b})` and
// `tn::Model({a, b}, {y, weights})` read as in Keras.
//
// Nothing is computed and nothing is built here: tn::Model (layers/network.h) collects the nodes
// that lead from its inputs to its outputs, names and seeds the layers and builds them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "layers/layer.h"

namespace tn {

struct Node;

class KerasTensor {
public:
    KerasTensor() = default;
    KerasTensor(std::shared_ptr<const Node> node, size_t index) : node_(std::move(node)), index_(index) {}
    bool defined() const { return node_ != nullptr; }
    const Shape& shape() const;  // batch first (-1)
    const std::shared_ptr<const Node>& node() const { return node_; }
    size_t index() const { return index_; }  // which output of the node

private:
    std::shared_ptr<const Node> node_;
    size_t index_ = 0;
};

// One application of a layer to symbolic inputs (Keras' Node). `id` orders nodes by creation, so a
// node's inputs always have smaller ids.
struct Node {
    std::shared_ptr<Layer> layer;
    std::vector<KerasTensor> inputs;     // empty for an Input
    std::vector<Shape> output_shapes;
    uint64_t id = 0;
};

class KerasTensors : public std::vector<KerasTensor> {
public:
    KerasTensors() = default;
    KerasTensors(const KerasTensor& t) : std::vector<KerasTensor>{t} {}  // NOLINT: one reads as a list
    KerasTensors(std::initializer_list<KerasTensor> list) : std::vector<KerasTensor>(list) {}
    explicit KerasTensors(std::vector<KerasTensor> v) : std::vector<KerasTensor>(std::move(v)) {}
    // The only element; throws a ValueError if there are several (index them instead).
    operator KerasTensor() const;  // NOLINT
};

// A symbolic input of shape (batch, shape...): `shape` leaves the batch out, -1 = any size.
KerasTensor Input(const Shape& shape, const std::string& name = "");

// Applies `layer` to symbolic inputs: checks their shapes (output_shapes) and records a Node.
KerasTensors apply_layer(const std::shared_ptr<Layer>& layer, const KerasTensors& inputs);

// A shared handle onto a layer that can be called on symbolic tensors.
template <class T>
class LayerRef : public std::shared_ptr<T> {
public:
    explicit LayerRef(std::shared_ptr<T> layer) : std::shared_ptr<T>(std::move(layer)) {}
    KerasTensors operator()(const KerasTensors& inputs) const { return apply_layer(*this, inputs); }
};

template <class T, class... Args>
LayerRef<T> layer(Args&&... args) {
    return LayerRef<T>(std::make_shared<T>(std::forward<Args>(args)...));
}

}  // namespace tn
