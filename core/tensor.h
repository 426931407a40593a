// tapenet core: the Tensor.
//
// A Tensor is a cheap handle: copying it copies a shape and two shared pointers, so copies share
// the same float storage (row-major, contiguous, float32) and the same gradient buffer.
//
//   Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
//   x.at({1, 2});            // 6
//   Tensor w = Tensor::uniform({3, 4}, -0.1f, 0.1f, rng).requires_grad();
//   Tensor y = tn::matmul(x, w);          // recorded on the tape because w needs a gradient
//   tn::sum(y).backward();                // w.grad() now holds dsum/dw
//
// Shape conventions used throughout tapenet (written once here):
//   B = batch, T = time steps, D = input features, U = recurrent units. Sequences are (B, T, D).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "core/buffer.h"

namespace tn {

class Rng;

using Shape = std::vector<int64_t>;

std::string shape_str(const Shape& s);     // "(2, 3)"

// The most elements a tensor may have: its size in bytes (4 per float) must fit in an int64_t.
constexpr int64_t kMaxNumel = INT64_MAX / int64_t{sizeof(float)};

// The element count of a shape. A negative dimension, or a count above kMaxNumel (however large
// the dimensions, the product is never computed with overflow), throws a ShapeError naming the
// shape. Every tensor's shape goes through it once, when the tensor is made.
int64_t shape_numel(const Shape& s);

// The gradient of a tensor lives in its own buffer, separate from the value, so that a backward
// closure can hold on to a gradient without keeping a large forward value alive.
struct GradBuffer {
    FloatBuffer g;  // empty until a gradient first flows in
    bool has() const { return !g.empty(); }
    // Pointer for accumulation (+=); allocates zeros on first use.
    float* acc(int64_t numel) {
        if (g.empty()) g = FloatBuffer(numel, 0.0f);
        return g.data();
    }
    // Adds a whole gradient (d.size() elements): the first one is adopted as is, saving the
    // zero-fill and a pass over memory.
    void add(FloatBuffer&& d);
};
using GradSlot = std::shared_ptr<GradBuffer>;

class Tensor {
public:
    Tensor() = default;                       // undefined tensor (defined() == false)
    explicit Tensor(Shape shape);             // zeros

    // ---- creation ----
    // Uninitialized values: for op outputs that are written in full before anything reads them.
    static Tensor empty(Shape shape);
    static Tensor zeros(Shape shape);
    static Tensor ones(Shape shape);
    static Tensor full(Shape shape, float value);
    static Tensor from_vector(std::vector<float> values, Shape shape);
    static Tensor scalar(float value);
    static Tensor arange(int64_t n);                                  // 0, 1, ..., n-1 as shape (n)
    static Tensor uniform(Shape shape, float lo, float hi, Rng& rng);
    static Tensor normal(Shape shape, float mean, float stddev, Rng& rng);

    // ---- shape ----
    bool defined() const { return static_cast<bool>(data_); }
    const Shape& shape() const { return shape_; }
    int64_t ndim() const { return static_cast<int64_t>(shape_.size()); }
    int64_t dim(int64_t axis) const;           // negative axes count from the end
    int64_t numel() const { return numel_; }

    // ---- element access (row-major) ----
    float* data() { return data_->data(); }
    const float* data() const { return data_->data(); }
    float& operator[](int64_t flat) { return (*data_)[static_cast<size_t>(flat)]; }
    float operator[](int64_t flat) const { return (*data_)[static_cast<size_t>(flat)]; }
    float& at(std::initializer_list<int64_t> index);
    float at(std::initializer_list<int64_t> index) const;
    float item() const;                        // the value of a one-element tensor
    std::vector<float> to_vector() const;

    // ---- autograd ----
    // Marks this tensor as a leaf that accumulates a gradient (parameters, inputs under test).
    Tensor& requires_grad(bool on = true);
    bool needs_grad() const { return static_cast<bool>(grad_); }
    // The accumulated gradient as a tensor of this shape (zeros if nothing flowed in yet).
    Tensor grad() const;
    void zero_grad();
    const GradSlot& grad_slot() const { return grad_; }
    // Seeds d(this)/d(this) = 1 (this must hold one element) and replays the tape.
    void backward() const;
    // Seeds the gradient of this tensor with `seed` (same shape) and replays the tape.
    void backward(const Tensor& seed) const;

    // ---- copies and views ----
    Tensor clone() const;                      // deep copy of the value, no gradient
    Tensor detach() const;                     // same storage, no gradient
    // Same storage and gradient buffer, new shape of equal numel (reshape is free in tapenet).
    Tensor view(Shape shape) const;
    bool shares_storage(const Tensor& other) const { return data_ == other.data_; }

    // For ops: gives this freshly made output its own gradient buffer (it becomes part of the graph).
    void attach_grad() { grad_ = std::make_shared<GradBuffer>(); }

private:
    Shape shape_;
    int64_t numel_ = 0;
    std::shared_ptr<FloatBuffer> data_;
    GradSlot grad_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace tn
