// tapenet optim: the losses, with Keras' semantics and reduction.
//
//   Tensor loss = tn::mse(y_pred, y_true);     // scalar, its backward recorded on the tape
//   loss.backward();                           // y_pred's producers now hold dloss/d...
//   tn::LossFn fn = tn::loss_by_name("mae");    // the same functions by their Keras names
//
// Reduction (Keras' "sum_over_batch_size"): each element's loss is averaged over the last axis
// (per sample), then over the batch. For the elementwise losses that is the mean over all elements.
//
// Each loss is one fused op: the forward loop computes every element's loss and, beside it, that
// element's derivative d loss / d y_pred[i] (already divided by the element count); the recorded
// backward only scales those by the incoming gradient. y_true never receives a gradient.
//
// Shapes: y_pred and y_true must have the same shape, except that Keras' (B) vs (B, 1) pairing is
// accepted (a trailing axis of 1 on either side). Anything else throws a tn::ShapeError naming both.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace tn {

// Mean squared error: mean((p - t)^2). Gradient 2 (p - t) / N.
Tensor mse(const Tensor& y_pred, const Tensor& y_true);

// Mean absolute error: mean(|p - t|). Gradient sign(p - t) / N, 0 at an exact tie (as TF/PyTorch).
Tensor mae(const Tensor& y_pred, const Tensor& y_true);

// Which Keras' binary cross-entropy on probabilities. Both first clip the probability:
// q = clip(p, eps, 1 - eps) with eps = float32(1e-7) and 1 - eps rounded to float32, as Keras does
// in float32; the clip passes the gradient on the closed interval [eps, 1 - eps] and blocks it
// outside (so p = 0 or p = 1 gets no gradient).
enum class BceForm {
    keras2,  // tf.keras 2.x: -(t log(q + eps) + (1 - t) log(1 - q + eps))
    keras3,  // Keras 3:      -(t log(q) + (1 - t) log(1 - q))
};

// Binary cross-entropy on probabilities y_pred in [0, 1] (the output of a sigmoid).
Tensor binary_crossentropy(const Tensor& y_pred, const Tensor& y_true, BceForm form = BceForm::keras2);

// Binary cross-entropy on logits x (no sigmoid applied): max(x, 0) - x t + log(1 + exp(-|x|)),
// the numerically stable form of -(t log σ(x) + (1 - t) log(1 - σ(x))). Gradient (σ(x) - t) / N.
Tensor binary_crossentropy_from_logits(const Tensor& logits, const Tensor& y_true);

// Sparse categorical cross-entropy from logits (..., C) with integer class labels stored as floats,
// of shape (...) or (..., 1): per sample logsumexp(logits) - logits[label]; mean over samples.
// Gradient (softmax(logits) - onehot(label)) / samples. A label that is not an integer in [0, C)
// throws a tn::ValueError.
Tensor sparse_categorical_crossentropy(const Tensor& logits, const Tensor& labels);

// A loss as a value: the function and its Keras name (the Model reads the name to pick the logits
// form of binary_crossentropy and the matching accuracy).
using LossFn = std::function<Tensor(const Tensor& y_pred, const Tensor& y_true)>;

struct Loss {
    std::string name;  // "mse", "mae", "binary_crossentropy", "sparse_categorical_crossentropy", or your own
    LossFn fn;
};

// Checks the targets y_true of a loss known by name against the shape of the model's output for the
// same samples, before training or evaluating on them (Model::fit, evaluate, train_on_batch):
//   * shape: y_true has the output's shape, or lacks its trailing axis of 1 ((B) for an output (B, 1));
//     for sparse_categorical_crossentropy, the output's shape without its class axis, or with a 1 in
//     its place. An extra axis, even of 1, is refused: y (16, 1, 1) against an output (16, 1).
//   * values: finite; binary_crossentropy's in [0, 1]; sparse_categorical_crossentropy's integer
//     class indices in [0, classes), classes = the output's last axis.
// A loss of another name (your own) gets the finite check only. Each check throws (ShapeError,
// ValueError) a message starting with `where` that names the shapes, or the first bad value and its
// sample. check_target_shape compares shapes only (no pass over the values).
void check_targets(const std::string& where, const std::string& loss_name, const Shape& output, const Tensor& y_true);
void check_target_shape(const std::string& where, const std::string& loss_name, const Shape& output,
                        const Shape& y_true);

// "mse", "mae", "binary_crossentropy" (keras2 form), "sparse_categorical_crossentropy", and the
// long Keras aliases "mean_squared_error", "mean_absolute_error". The returned Loss carries the
// canonical short name. An unknown name throws a tn::ValueError listing the valid ones.
Loss loss_by_name(const std::string& name);
const std::vector<std::string>& loss_names();

}  // namespace tn
