// tapenet layers: Network, a Keras-like Sequential stack of layers: structure, parameters and
// inference. Training (compile, fit, evaluate) is train/model.h's Model, a Network with a loss and
// an optimizer.
//
//   tn::Network net(/*seed=*/7);
//   net.add<tn::LSTM>(32, /*return_sequences=*/true);     // named "lstm"
//   net.add<tn::Attention>(16);                           // "attention"
//   net.add<tn::Dense>(1);                                // "dense" (a second Dense would be "dense_1")
//   net.build({-1, 20, 1});
//   tn::Tensor y_hat = net.predict(x);
//
// The network seed seeds layer i with seed + i (its initial weights and its dropout), so the same
// seed builds bit-identical weights on the same machine.
//
// Masks: the mask of the first layer's compute_mask (e.g. Embedding(mask_zero)) is passed along the
// stack through Layer::forward(x, mask, training) and each layer's compute_mask.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/param.h"
#include "core/tensor.h"
#include "layers/layer.h"

namespace tn {

class Network {
public:
    explicit Network(uint64_t seed = 0, std::string name = "sequential");
    virtual ~Network() = default;
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    // ---- structure ----
    // Appends a layer and gives it a unique Keras-style name: a layer still carrying its default
    // name ("dense") becomes "dense", "dense_1", ...; a custom name that is taken throws.
    Layer& add(std::unique_ptr<Layer> layer);
    template <class T, class... Args>
    T& add(Args&&... args) {
        auto layer = std::make_unique<T>(std::forward<Args>(args)...);
        T& ref = *layer;
        add(std::move(layer));
        return ref;
    }

    // Seeds layer i with seed + i (layers already built keep their weights).
    virtual void set_seed(uint64_t seed);
    uint64_t seed() const { return seed_; }
    const std::string& name() const { return name_; }
    void set_name(std::string name) { name_ = std::move(name); }

    // Builds every layer for this input shape (batch first, -1 = any), as Keras' model.build.
    void build(const Shape& input_shape);
    bool built() const { return !input_shape_.empty(); }
    const Shape& input_shape() const { return input_shape_; }  // batch axis is -1
    // The Keras summary table (layers/summary.h). Needs build() (or fit) first.
    std::string summary();

    // ---- layers and parameters ----
    const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
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
    // One forward pass through the whole stack (recorded on the tape unless under NoGrad).
    Tensor forward(const Tensor& x, bool training = false);
    // The outputs for x (B, ...), computed in batches under NoGrad and concatenated.
    Tensor predict(const Tensor& x, int64_t batch_size = 32);

private:
    [[noreturn]] void throw_no_layer_of_type() const;

    uint64_t seed_;
    std::string name_;
    std::vector<std::unique_ptr<Layer>> layers_;
    Shape input_shape_;
};

// Rows `rows` of x (along axis 0) copied into a new tensor (no gradient): how predict and fit make
// batches.
Tensor take_rows(const Tensor& x, const std::vector<int64_t>& rows);

}  // namespace tn
