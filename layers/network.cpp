#include "layers/network.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

#include "core/error.h"
#include "core/tape.h"
#include "layers/summary.h"

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

// ---- structure ----

Layer& Network::add(std::unique_ptr<Layer> layer) {
    if (!layer) value_error("model", "add() got a null layer");
    auto taken = [&](const std::string& n) {
        return std::any_of(layers_.begin(), layers_.end(), [&](const auto& l) { return l->name() == n; });
    };
    const std::string base = snake_case(layer->class_name());
    if (layer->name().empty() || layer->name() == base) {
        std::string unique = base;
        for (int k = 1; taken(unique); ++k) unique = base + "_" + std::to_string(k);
        layer->set_name(unique);
    } else if (taken(layer->name())) {
        value_error("model", "a layer named '" + layer->name() + "' is already in the model; names must be unique");
    }
    if (!layer->built()) layer->set_seed(seed_ + layers_.size());
    layers_.push_back(std::move(layer));
    return *layers_.back();
}

void Network::set_seed(uint64_t seed) {
    seed_ = seed;
    for (size_t i = 0; i < layers_.size(); ++i)
        if (!layers_[i]->built()) layers_[i]->set_seed(seed + i);
}

void Network::build(const Shape& input_shape) {
    if (layers_.empty()) value_error("model", "has no layers; add some with add() before build()");
    if (input_shape.empty()) shape_error("model", "build() needs an input shape with a batch axis first, e.g. {-1, 20, 1}");
    Shape shape = input_shape;
    shape[0] = -1;
    input_shape_ = shape;
    for (auto& layer : layers_) {
        layer->build(shape);
        shape = layer->output_shape(shape);
    }
}

std::string Network::summary() {
    if (!built())
        value_error("model", "summary() needs the input shape: call build({-1, ...}) or fit() first");
    std::vector<Layer*> ptrs;
    for (auto& l : layers_) ptrs.push_back(l.get());
    return tn::summary(ptrs, input_shape_, name_);
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

// ---- forward ----

Tensor Network::forward(const Tensor& x, bool training) {
    if (layers_.empty()) value_error("model", "has no layers; add some with add()");
    Tensor h = x, mask;
    for (auto& layer : layers_) {
        Tensor out = layer->forward(h, mask, training);
        mask = layer->compute_mask(h, mask);
        h = out;
    }
    return h;
}

Tensor Network::predict(const Tensor& x, int64_t batch_size) {
    if (!x.defined() || x.ndim() < 1 || x.dim(0) == 0)
        shape_error("model.predict", "x needs at least one sample along its first axis");
    if (batch_size <= 0) value_error("model.predict", "batch_size must be > 0, got " + std::to_string(batch_size));
    NoGrad no_grad;
    const int64_t n = x.dim(0);
    Tensor result;
    int64_t row_size = 0;
    for (int64_t start = 0; start < n; start += batch_size) {
        const int64_t end = std::min(n, start + batch_size);
        std::vector<int64_t> rows(static_cast<size_t>(end - start));
        for (int64_t i = start; i < end; ++i) rows[static_cast<size_t>(i - start)] = i;
        const Tensor out = forward(take_rows(x, rows), /*training=*/false);
        if (out.ndim() < 1 || out.dim(0) != end - start || (result.defined() && out.numel() != (end - start) * row_size))
            shape_error("model.predict", "the output of a batch of " + std::to_string(end - start) +
                                             " samples has shape " + shape_str(out.shape()));
        if (!result.defined()) {
            Shape shape = out.shape();
            shape[0] = n;
            result = Tensor(shape);
            row_size = out.numel() / (end - start);
        }
        std::memcpy(result.data() + start * row_size, out.data(), static_cast<size_t>(out.numel()) * sizeof(float));
    }
    return result;
}

}  // namespace tn
