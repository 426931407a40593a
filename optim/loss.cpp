#include "optim/loss.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <sstream>

#include "core/error.h"
#include "core/tape.h"

namespace tn {

namespace {

// Keras' (B) vs (B, 1) pairing: shapes equal, or equal once a trailing axis of 1 is dropped from
// the longer one.
bool compatible_shapes(const Shape& a, const Shape& b) {
    if (a == b) return true;
    const Shape& longer = a.size() > b.size() ? a : b;
    const Shape& shorter = a.size() > b.size() ? b : a;
    return longer.size() == shorter.size() + 1 && longer.back() == 1 &&
           std::equal(shorter.begin(), shorter.end(), longer.begin());
}

void check_pair(const char* op, const Tensor& y_pred, const Tensor& y_true) {
    if (!y_pred.defined() || !y_true.defined()) value_error(op, "y_pred or y_true is undefined");
    if (!compatible_shapes(y_pred.shape(), y_true.shape()))
        shape_error(op, "y_pred has shape " + shape_str(y_pred.shape()) + " but y_true has shape " +
                            shape_str(y_true.shape()));
    if (y_pred.numel() == 0) shape_error(op, "empty input of shape " + shape_str(y_pred.shape()));
}

// The shared tail of every loss: wraps the value in a scalar tensor and, if y_pred needs a
// gradient, records the backward, which adds g_out * dloss[i] into y_pred's gradient.
// `dloss[i]` = d loss / d y_pred[i], computed by the forward loop.
Tensor finish(const char* op, double value, const Tensor& y_pred, std::vector<float> dloss) {
    Tensor out = Tensor::scalar(static_cast<float>(value));
    if (tape::wants_grad({&y_pred})) {
        out.attach_grad();
        tape::record(op, [gp = y_pred.grad_slot(), gout = out.grad_slot(), d = std::move(dloss)] {
            if (!gout->has()) return;
            const float g = gout->g[0];
            float* dst = gp->acc(static_cast<int64_t>(d.size()));
            for (size_t i = 0; i < d.size(); ++i) dst[i] += g * d[i];
        });
    }
    return out;
}

// Runs an elementwise loss: `term(p, t, &dterm)` returns one element's loss (double) and sets its
// derivative wrt p. The loss is the mean over all elements (= Keras' mean over the last axis,
// then over the batch), so each derivative is divided by the element count.
template <class Term>
Tensor elementwise_loss(const char* op, const Tensor& y_pred, const Tensor& y_true, Term term) {
    check_pair(op, y_pred, y_true);
    const int64_t n = y_pred.numel();
    const float* p = y_pred.data();
    const float* t = y_true.data();
    std::vector<float> dloss(static_cast<size_t>(n));
    const double inv_n = 1.0 / static_cast<double>(n);
    double total = 0;
    for (int64_t i = 0; i < n; ++i) {
        double d = 0;
        total += term(static_cast<double>(p[i]), static_cast<double>(t[i]), d);
        dloss[i] = static_cast<float>(d * inv_n);
    }
    return finish(op, total * inv_n, y_pred, std::move(dloss));
}

}  // namespace

Tensor mse(const Tensor& y_pred, const Tensor& y_true) {
    return elementwise_loss("mse", y_pred, y_true, [](double p, double t, double& d) {
        d = 2.0 * (p - t);
        return (p - t) * (p - t);
    });
}

Tensor mae(const Tensor& y_pred, const Tensor& y_true) {
    return elementwise_loss("mae", y_pred, y_true, [](double p, double t, double& d) {
        d = p > t ? 1.0 : (p < t ? -1.0 : 0.0);  // sign(p - t), 0 at a tie
        return std::abs(p - t);
    });
}

Tensor binary_crossentropy(const Tensor& y_pred, const Tensor& y_true, BceForm form) {
    // Keras works in float32: eps = float32(1e-7), and 1 - eps is rounded to float32 too.
    const float eps_f = 1e-7f;
    const float hi_f = 1.0f - eps_f;
    const double eps = eps_f;
    const double log_eps = form == BceForm::keras2 ? eps : 0.0;  // keras2 adds eps inside the logs
    return elementwise_loss("binary_crossentropy", y_pred, y_true, [=](double p, double t, double& d) {
        // q = clip(p, eps, 1 - eps); NaN passes through (so the loss reports it).
        const double q = p < eps_f ? eps : (p > hi_f ? static_cast<double>(hi_f) : p);
        const bool inside = p >= eps_f && p <= hi_f;  // the clip's gradient is 1 on the closed interval
        const double a = q + log_eps;        // argument of log for the "true" term
        const double b = 1.0 - q + log_eps;  // argument of log for the "false" term
        d = inside ? -t / a + (1.0 - t) / b : 0.0;
        return -(t * std::log(a) + (1.0 - t) * std::log(b));
    });
}

Tensor binary_crossentropy_from_logits(const Tensor& logits, const Tensor& y_true) {
    return elementwise_loss("binary_crossentropy_from_logits", logits, y_true, [](double x, double t, double& d) {
        // σ(x) without overflow for large |x|
        const double e = std::exp(-std::abs(x));
        const double sigma = x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
        d = sigma - t;
        return std::max(x, 0.0) - x * t + std::log1p(e);
    });
}

Tensor sparse_categorical_crossentropy(const Tensor& logits, const Tensor& labels) {
    const char* op = "sparse_categorical_crossentropy";
    if (!logits.defined() || !labels.defined()) value_error(op, "logits or labels is undefined");
    if (logits.ndim() < 1 || logits.numel() == 0)
        shape_error(op, "logits must be (..., classes), got " + shape_str(logits.shape()));
    const Shape rows_shape(logits.shape().begin(), logits.shape().end() - 1);
    if (!compatible_shapes(labels.shape(), rows_shape))
        shape_error(op, "labels have shape " + shape_str(labels.shape()) + " but logits have shape " +
                            shape_str(logits.shape()) + "; labels must be " + shape_str(rows_shape) +
                            " (or with a trailing 1) holding class indices");
    const int64_t classes = logits.dim(-1);
    const int64_t rows = logits.numel() / classes;
    const double inv_rows = 1.0 / static_cast<double>(rows);
    std::vector<float> dloss(static_cast<size_t>(logits.numel()));
    double total = 0;
    for (int64_t r = 0; r < rows; ++r) {
        const float label_f = labels[r];
        if (!(label_f >= 0 && label_f < static_cast<float>(classes)) || label_f != std::floor(label_f))
            value_error(op, "label " + std::to_string(label_f) + " of sample " + std::to_string(r) +
                                " is not a class index in [0, " + std::to_string(classes) + ")");
        const auto label = static_cast<int64_t>(label_f);
        const float* x = logits.data() + r * classes;
        float* d = dloss.data() + r * classes;
        // log-sum-exp with the row max subtracted, in double
        const double x_max = *std::max_element(x, x + classes);
        double sum = 0;
        for (int64_t c = 0; c < classes; ++c) sum += std::exp(x[c] - x_max);
        total += x_max + std::log(sum) - x[label];
        for (int64_t c = 0; c < classes; ++c) {
            const double softmax = std::exp(x[c] - x_max) / sum;
            d[c] = static_cast<float>((softmax - (c == label ? 1.0 : 0.0)) * inv_rows);
        }
    }
    return finish(op, total * inv_rows, logits, std::move(dloss));
}

// ---- targets checked before training ----

namespace {

std::string value_text(float v) {
    std::ostringstream text;
    text << v;
    return text.str();
}

// The shapes y_true may have for an output of shape `output` under the loss `loss_name` (none for a
// loss this file does not know: any shape then).
std::vector<Shape> accepted_target_shapes(const std::string& loss_name, const Shape& output) {
    if (output.empty()) return {};
    Shape without_last(output.begin(), output.end() - 1);
    if (loss_name == "sparse_categorical_crossentropy") {
        Shape with_one = without_last;
        with_one.push_back(1);
        return {without_last, with_one};
    }
    if (loss_name == "mse" || loss_name == "mae" || loss_name == "binary_crossentropy") {
        if (output.back() == 1) return {output, without_last};
        return {output};
    }
    return {};
}

// The range the targets of `loss_name` must lie in, as text, and its test; none when any finite value
// will do.
struct TargetRange {
    std::string text;
    bool (*inside)(float value, int64_t classes);
};

std::optional<TargetRange> target_range(const std::string& loss_name, int64_t classes) {
    if (loss_name == "binary_crossentropy")
        return TargetRange{"labels in [0, 1]", [](float v, int64_t) { return v >= 0.0f && v <= 1.0f; }};
    if (loss_name == "sparse_categorical_crossentropy")
        return TargetRange{"class indices, integers in [0, " + std::to_string(classes) + ")",
                           [](float v, int64_t c) { return v >= 0.0f && v < static_cast<float>(c) && v == std::floor(v); }};
    return std::nullopt;
}

}  // namespace

void check_target_shape(const std::string& where, const std::string& loss_name, const Shape& output,
                        const Shape& y_true) {
    const std::vector<Shape> accepted = accepted_target_shapes(loss_name, output);
    if (accepted.empty() || std::find(accepted.begin(), accepted.end(), y_true) != accepted.end()) return;
    std::string names;
    for (const Shape& s : accepted) names += (names.empty() ? "" : " or ") + shape_str(s);
    shape_error(where, "y has shape " + shape_str(y_true) + " but the model's output has shape " + shape_str(output) +
                           "; " + loss_name + " needs y of shape " + names);
}

void check_targets(const std::string& where, const std::string& loss_name, const Shape& output, const Tensor& y_true) {
    if (!y_true.defined()) value_error(where, "y is undefined");
    check_target_shape(where, loss_name, output, y_true.shape());
    const int64_t classes = output.empty() ? 0 : output.back();
    const std::optional<TargetRange> range = target_range(loss_name, classes);
    const int64_t per_sample = y_true.ndim() > 0 && y_true.dim(0) > 0 ? y_true.numel() / y_true.dim(0) : 1;
    for (int64_t i = 0; i < y_true.numel(); ++i) {
        const float v = y_true[i];
        const bool finite = std::isfinite(v);
        if (finite && (!range || range->inside(v, classes))) continue;
        const std::string at = "y holds " + value_text(v) + " at sample " + std::to_string(i / per_sample);
        value_error(where, at + (finite ? "; " + loss_name + " needs " + range->text : "; targets must be finite"));
    }
}

namespace {

struct NamedLoss {
    const char* name;
    const char* canonical;
    Tensor (*fn)(const Tensor&, const Tensor&);
};

Tensor bce_keras2(const Tensor& p, const Tensor& t) { return binary_crossentropy(p, t, BceForm::keras2); }

constexpr NamedLoss kLosses[] = {
    {"mse", "mse", mse},
    {"mae", "mae", mae},
    {"binary_crossentropy", "binary_crossentropy", bce_keras2},
    {"sparse_categorical_crossentropy", "sparse_categorical_crossentropy", sparse_categorical_crossentropy},
    {"mean_squared_error", "mse", mse},
    {"mean_absolute_error", "mae", mae},
};

}  // namespace

const std::vector<std::string>& loss_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& l : kLosses) v.push_back(l.name);
        return v;
    }();
    return names;
}

Loss loss_by_name(const std::string& name) {
    for (const auto& l : kLosses)
        if (name == l.name) return {l.canonical, l.fn};
    std::string valid;
    for (const auto& n : loss_names()) valid += (valid.empty() ? "" : ", ") + n;
    value_error("loss", "unknown loss '" + name + "'; valid losses are: " + valid);
}

}  // namespace tn
