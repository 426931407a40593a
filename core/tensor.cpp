#include "core/tensor.h"

#include <algorithm>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "core/cpu_dispatch.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/tape.h"

namespace tn {

std::string shape_str(const Shape& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += ", ";
        out += std::to_string(s[i]);
    }
    if (s.size() == 1) out += ",";
    return out + ")";
}

int64_t shape_numel(const Shape& s) {
    int64_t n = 1;
    bool overflow = false, empty = false;
    for (int64_t d : s) {
        if (d < 0) throw ShapeError("tensor: negative dimension in shape " + shape_str(s));
        empty |= d == 0;
        overflow |= __builtin_mul_overflow(n, d, &n);
    }
    if (empty) return 0;
    if (overflow || n > kMaxNumel)
        throw ShapeError("tensor: shape " + shape_str(s) + " has more elements than a tensor can hold (at most " +
                         std::to_string(kMaxNumel) + ")");
    return n;
}

int64_t normalize_axis(const std::string& op, int64_t axis, int64_t ndim) {
    const int64_t a = axis < 0 ? axis + ndim : axis;
    if (a < 0 || a >= ndim)
        shape_error(op, "axis " + std::to_string(axis) + " is out of range for a tensor of rank " +
                            std::to_string(ndim));
    return a;
}

namespace {

// The storage of a tensor: a failed allocation names the tensor's shape.
std::shared_ptr<FloatBuffer> allocate(const Shape& shape, int64_t numel) {
    try {
        return std::make_shared<FloatBuffer>(numel);
    } catch (const AllocationError& e) {
        throw AllocationError("tensor of shape " + shape_str(shape) + ": " + e.what());
    }
}

// out += in, one version per CPU level (core/cpu_dispatch.h).
TN_VECTOR_KERNEL void add_into(float* __restrict out, const float* __restrict in, int64_t n) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) out[i] += in[i];
}

}  // namespace

void GradBuffer::add(FloatBuffer&& d) {
    if (g.empty()) {
        g = std::move(d);
        return;
    }
    add_into(g.data(), d.data(), static_cast<int64_t>(d.size()));
}

Tensor::Tensor(Shape shape)
    : shape_(std::move(shape)), numel_(shape_numel(shape_)), data_(allocate(shape_, numel_)) {
    std::fill(data_->begin(), data_->end(), 0.0f);
}

Tensor Tensor::empty(Shape shape) {
    Tensor t;
    t.numel_ = shape_numel(shape);
    t.data_ = allocate(shape, t.numel_);
    t.shape_ = std::move(shape);
    return t;
}

Tensor Tensor::zeros(Shape shape) { return Tensor(std::move(shape)); }

Tensor Tensor::ones(Shape shape) { return full(std::move(shape), 1.0f); }

Tensor Tensor::full(Shape shape, float value) {
    Tensor t = empty(std::move(shape));
    std::fill(t.data_->begin(), t.data_->end(), value);
    return t;
}

Tensor Tensor::from_vector(std::vector<float> values, Shape shape) {
    const int64_t n = shape_numel(shape);
    if (n != static_cast<int64_t>(values.size()))
        throw ShapeError("from_vector: " + std::to_string(values.size()) +
                         " values do not fill shape " + shape_str(shape));
    Tensor t = empty(std::move(shape));
    std::copy(values.begin(), values.end(), t.data());
    return t;
}

Tensor Tensor::scalar(float value) { return from_vector({value}, {}); }

Tensor Tensor::arange(int64_t n) {
    Tensor t({n});
    for (int64_t i = 0; i < n; ++i) t[i] = static_cast<float>(i);
    return t;
}

Tensor Tensor::uniform(Shape shape, float lo, float hi, Rng& rng) {
    Tensor t = empty(std::move(shape));
    for (float& v : *t.data_) v = rng.uniform(lo, hi);
    return t;
}

Tensor Tensor::normal(Shape shape, float mean, float stddev, Rng& rng) {
    Tensor t = empty(std::move(shape));
    for (float& v : *t.data_) v = mean + stddev * rng.normal();
    return t;
}

int64_t Tensor::dim(int64_t axis) const { return shape_[normalize_axis("dim", axis, ndim())]; }

static int64_t flat_index(const Shape& shape, std::initializer_list<int64_t> index) {
    if (index.size() != shape.size())
        throw ShapeError("at: " + std::to_string(index.size()) + " indices for a tensor of shape " +
                         shape_str(shape));
    int64_t flat = 0;
    size_t k = 0;
    for (int64_t i : index) {
        if (i < 0 || i >= shape[k])
            throw ShapeError("at: index " + std::to_string(i) + " out of range for axis " +
                             std::to_string(k) + " of shape " + shape_str(shape));
        flat = flat * shape[k] + i;
        ++k;
    }
    return flat;
}

float& Tensor::at(std::initializer_list<int64_t> index) { return (*this)[flat_index(shape_, index)]; }
float Tensor::at(std::initializer_list<int64_t> index) const { return (*this)[flat_index(shape_, index)]; }

float Tensor::item() const {
    if (!defined() || numel_ != 1)
        throw ShapeError("item: needs a tensor with one element, got shape " + shape_str(shape_));
    return (*data_)[0];
}

std::vector<float> Tensor::to_vector() const { return {data_->begin(), data_->end()}; }

Tensor& Tensor::requires_grad(bool on) {
    if (on && !grad_) grad_ = std::make_shared<GradBuffer>();
    if (!on) grad_.reset();
    return *this;
}

Tensor Tensor::grad() const {
    Tensor g(shape_);
    if (grad_ && grad_->has()) std::copy(grad_->g.begin(), grad_->g.end(), g.data());
    return g;
}

void Tensor::zero_grad() {
    if (grad_) grad_->g.clear();
}

void Tensor::backward() const {
    if (numel_ != 1)
        throw ShapeError("backward: needs a scalar loss (one element), got shape " + shape_str(shape_) +
                         "; pass a seed gradient of the same shape for a non-scalar output");
    backward(Tensor::full(shape_, 1.0f));
}

void Tensor::backward(const Tensor& seed) const {
    if (seed.shape() != shape_)
        throw ShapeError("backward: seed shape " + shape_str(seed.shape()) + " differs from output shape " +
                         shape_str(shape_));
    if (!grad_) {
        tape::clear();
        throw ValueError("backward: this tensor does not depend on anything that needs a gradient");
    }
    float* g = grad_->acc(numel_);
    for (int64_t i = 0; i < numel_; ++i) g[i] += seed[i];
    tape::run_backward();
}

Tensor Tensor::clone() const {
    Tensor t;
    if (!defined()) return t;
    t.shape_ = shape_;
    t.numel_ = numel_;
    t.data_ = allocate(shape_, numel_);
    std::copy(data_->begin(), data_->end(), t.data());
    return t;
}

Tensor Tensor::detach() const {
    Tensor t = *this;
    t.grad_.reset();
    return t;
}

Tensor Tensor::view(Shape shape) const {
    const int64_t n = shape_numel(shape);
    if (n != numel_)
        throw ShapeError("reshape: cannot view " + shape_str(shape_) + " as " + shape_str(shape) +
                         " (element counts differ)");
    Tensor t = *this;
    t.shape_ = std::move(shape);
    return t;
}

// Prints like numpy, nested brackets, at most 6 entries per axis.
static void print_rec(std::ostream& os, const Tensor& t, size_t axis, int64_t offset, int64_t stride) {
    const int64_t n = t.shape()[axis];
    const int64_t inner = stride / n;
    os << '[';
    for (int64_t i = 0; i < n; ++i) {
        if (n > 6 && i == 3) {
            os << "..., ";
            i = n - 3;
        }
        if (axis + 1 == t.shape().size())
            os << t[offset + i];
        else
            print_rec(os, t, axis + 1, offset + i * inner, inner);
        if (i + 1 < n) os << (axis + 1 == t.shape().size() ? ", " : ",\n ");
    }
    os << ']';
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
    if (!t.defined()) return os << "Tensor(undefined)";
    std::ostringstream body;
    body << std::setprecision(5);
    if (t.ndim() == 0)
        body << t[0];
    else if (t.numel() == 0)
        body << "[]";
    else
        print_rec(body, t, 0, 0, t.numel());
    return os << "Tensor(" << body.str() << ", shape=" << shape_str(t.shape())
              << (t.needs_grad() ? ", requires_grad" : "") << ")";
}

}  // namespace tn
