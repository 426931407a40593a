// tapenet layers: the Layer interface.
//
// A layer is built lazily from the shape of its first input, as in Keras: `Dense(8)` does not know
// its input size until it sees (B, D); then it creates the weights its weight_specs() lists for that
// shape, `kernel (D, 8)` and `bias (8)`, with their initializers, drawing from an Rng seeded by the
// layer's seed (set by Network, or by the user).
//
//   tn::Dense dense(8, "relu");
//   Tensor y = dense.forward(x);             // builds on first call, then y = relu(x @ kernel + bias)
//   dense.params()[0].value                  // the kernel, a Tensor that requires a gradient
//
// A layer describes itself: class_name(), its Keras config (get_config, and a static from_config
// that the registry calls, layers/registry.h) and its weights (weight_specs). The model format
// (io/) saves and loads any layer through these three without knowing it by name.
//
// Masks (for padded sequences) are (B, T) tensors of 0/1; an undefined Tensor means "no mask".
//
// A forward writes nothing into the layer: everything it computes is returned (call is const), so
// several threads may run forward on one layer at once, and one layer may be applied more than once
// in a model. The exceptions are the lazy build, which a mutex makes safe when several threads
// reach it at once, and Dropout's generator, which training (training = true) draws from: training
// runs one thread per model.
//
// Layers with several inputs or outputs (the functional graph, layers/graph.h) go through the list
// form: forward_all(inputs, masks, training) takes every input with its mask and returns every
// output. A single-input layer implements call(x, mask, training) and output_shape(shape) and gets
// the list form for free ({call(inputs[0], ...)}); a layer that merges several inputs (Add,
// Concatenate, Dot, ...) or returns several outputs overrides call_all, output_shapes and, if it
// passes masks on, compute_masks. How many outputs a layer has follows its Keras config: LSTM gives
// {y, h, c} with return_state and takes {x, h0, c0} as Keras' initial_state; Attention gives
// {y, attention_weights} with return_attention_scores.
//
// Weights depend on the FIRST input's shape only: build() and weight_specs() see inputs[0]'s shape
// (x for LSTM, whatever its initial state). Layers without weights may take any inputs.
//
//   std::vector<Tensor> outs = lstm.forward_all({x, h0, c0}, {}, /*training=*/false);   // {y, h_T, c_T}
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/param.h"
#include "core/tensor.h"

namespace tn {

class Rng;

// One weight a layer creates when it is built: its name inside the layer, its shape, and how its
// initial value is drawn.
struct WeightSpec {
    std::string name;
    Shape shape;
    std::function<Tensor(const Shape&, Rng&)> initializer;
};

class Layer {
public:
    explicit Layer(std::string name) : name_(std::move(name)) {}
    virtual ~Layer() = default;
    Layer(const Layer&) = delete;
    Layer& operator=(const Layer&) = delete;

    // Keras class name, e.g. "Dense", "LSTM", "Attention".
    virtual std::string class_name() const = 0;
    // The class' Keras config keys, in Keras' order, without "name" (the model format writes the
    // name, trainable and dtype first). Each class has a matching static from_config(ConfigReader).
    virtual void get_config(ConfigWriter& config) const = 0;
    // The output shape for an input shape whose first axis is the batch (may be -1: unknown).
    // Throws a ShapeError naming the layer when the layer cannot take that input. The default
    // throws: a layer that takes a list of inputs implements output_shapes instead.
    virtual Shape output_shape(const Shape& input_shape) const;
    // The shape of every output for the shapes of every input. Default: {output_shape(inputs[0])},
    // for exactly one input.
    virtual std::vector<Shape> output_shapes(const std::vector<Shape>& input_shapes) const;
    // The weights this layer creates for an input shape, in Keras' order (the order of params() and
    // of the weights in a saved model). Checks the shape first. Creates nothing: the model loader
    // uses it to size a model before allocating it.
    virtual std::vector<WeightSpec> weight_specs(const Shape& input_shape) const = 0;
    // Other names a saved file may give the weight `weight` of this layer, relative to the layer
    // (keras-attention's Dense sublayers: "luong_w" is also "luong_w/kernel"). The model loader tries
    // "<layer>/<weight>" first, then "<layer>/<alias>" for each of these. Default: none.
    virtual std::vector<std::string> weight_aliases(std::string_view weight) const;

    // Forward pass of a single-input layer: its first output. Builds the layer on the first call.
    // `training` turns dropout on.
    Tensor forward(const Tensor& x, bool training = false);
    Tensor forward(const Tensor& x, const Tensor& mask, bool training);
    // The general forward: every input, with its mask (`masks` may be shorter than `inputs`, even
    // empty: a missing or undefined mask means "no mask"), gives every output (see the top of this
    // file). Builds the layer from inputs[0]'s shape on the first call.
    std::vector<Tensor> forward_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                    bool training);
    // The masks this layer passes on, one per output (or fewer: missing ones are undefined).
    // Default: {compute_mask(inputs[0], masks[0])}.
    virtual std::vector<Tensor> compute_masks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const;
    // The mask a single-input layer passes to the next one (default: unchanged). Embedding(mask_zero)
    // creates one; a layer that removes the time axis returns an undefined tensor.
    virtual Tensor compute_mask(const Tensor& x, const Tensor& mask) const;

    // Creates the parameters weight_specs() lists for this input shape (no-op if already built).
    // A wrong rank or size throws a ShapeError naming the layer. Threads that call it at once build
    // the layer once; after that it costs one atomic load.
    void build(const Shape& input_shape);
    bool built() const { return built_.load(std::memory_order_acquire); }
    const Shape& input_shape() const { return input_shape_; }

    const std::string& name() const { return name_; }
    void set_name(std::string name) { name_ = std::move(name); }
    uint64_t seed() const { return seed_; }
    void set_seed(uint64_t seed) { seed_ = seed; }

    // Trainable parameters, in Keras' order (the order of the weights in a saved model).
    std::vector<Param>& params() { return params_; }
    const std::vector<Param>& params() const { return params_; }
    int64_t count_params() const;
    // How many weights weight_specs() lists for this input shape, in double (a config may ask for
    // more than int64 holds): the model loader's budget check before anything is allocated.
    double count_weights_for(const Shape& input_shape) const;
    // Copies values into the parameters (shapes must match, in params() order). Parameters are
    // never reassigned, only written through, so handles that layers keep stay valid.
    void set_weights(const std::vector<Tensor>& values);
    // The parameter called `name` ("kernel"); throws if the layer has none (or is not built).
    const Tensor& weight(std::string_view name) const;

    // The generator this layer draws from while training (Dropout's masks), or null if it draws
    // nothing. Checkpoints (train/checkpoint.h) save and restore it so resumed training is exact.
    virtual Rng* random_generator() { return nullptr; }

protected:
    // Subclasses: called once the weights exist, to keep handles onto them (weight("kernel")) and
    // anything else that depends on the input shape. `rng` has drawn the initial weights.
    virtual void on_built(const Shape& input_shape, Rng& rng);
    // Subclasses: the computation on a built layer; `mask` may be undefined. The default throws
    // (a layer that takes a list implements call_all instead).
    virtual Tensor call(const Tensor& x, const Tensor& mask, bool training) const;
    // Subclasses with several inputs or outputs: all outputs for all inputs; `masks` has one
    // (possibly undefined) entry per input. Default: {call(inputs[0], masks[0], training)}, for
    // exactly one input.
    virtual std::vector<Tensor> call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                         bool training) const;
    // Throws a ValueError naming the layer unless it got between `min` and `max` inputs.
    void check_input_count(size_t count, size_t min, size_t max) const;

private:
    std::string name_;
    uint64_t seed_ = 0;
    std::atomic<bool> built_{false};  // set last, once the parameters and input_shape_ are written
    std::mutex build_mutex_;
    Shape input_shape_;
    std::vector<Param> params_;
};

}  // namespace tn
