// The core ops against the reference cases: softmax, and each loss_* case's math written with
// plain ops (the fused losses of optim/ are tested against the same cases in test_losses.cpp).
// Tolerance |got-ref| <= 1e-5 + 1e-4 |ref| (reference README).
#include <doctest/doctest.h>

#include "core/ops.h"
#include "core/tape.h"
#include "tests/reference.h"

using namespace tn;
using namespace tn::testing;

TEST_CASE("reference: softmax cases (value and gradient)") {
    const auto cases = reference_cases("softmax");
    REQUIRE(!cases.empty());
    for (const auto& name : cases) {
        CAPTURE(name);
        const json c = load_case(name);
        Tensor x = ref_tensor(c.at("inputs").at("x"));
        x.requires_grad();
        const Tensor y = softmax(x, c.at("config").value("axis", -1));
        check_close(y, c.at("outputs").at("y"), name + " y");
        y.backward(ref_tensor(c.at("objective").at("R")));
        check_close(x.grad(), c.at("grads").at("inputs").at("x"), name + " dx");
    }
}

namespace {

// The loss of each case written with ops, Keras reduction: mean over the last axis, then the batch.
Tensor composed_loss(const json& c, Tensor& pred) {
    const json& cfg = c.at("config");
    const std::string loss = cfg.at("loss").get<std::string>();
    const bool from_logits = cfg.value("from_logits", false);
    if (loss == "sparse_categorical_crossentropy") {
        const Tensor labels = ref_tensor(c.at("inputs").at("labels"));
        const Tensor logp = log_softmax(pred, -1);
        Tensor onehot(pred.shape());
        for (int64_t b = 0; b < pred.dim(0); ++b) onehot.at({b, static_cast<int64_t>(labels[b])}) = 1.0f;
        return mean(neg(sum(logp * onehot, -1)));
    }
    const Tensor t = ref_tensor(c.at("inputs").at("y_true"));
    Tensor per_element;
    if (loss == "mse") per_element = (pred - t) * (pred - t);
    if (loss == "mae") per_element = abs(pred - t);
    if (loss == "binary_crossentropy" && from_logits)  // max(x,0) - x t + log(1 + exp(-|x|))
        per_element = relu(pred) - pred * t + log(exp(neg(abs(pred))) + 1.0f);
    if (loss == "binary_crossentropy" && !from_logits) {
        // The Keras 3 variant (named so in the case) drops the +eps inside the logs.
        const bool keras3 = c.at("case").get<std::string>().find("keras3") != std::string::npos;
        const float eps = static_cast<float>(cfg.at("epsilon").get<double>());
        const float hi = static_cast<float>(cfg.at("clip_max").get<double>());
        const Tensor q = clip(pred, eps, hi);
        const float e = keras3 ? 0.0f : eps;
        per_element = neg(t * log(q + e) + (1.0f - t) * log((1.0f - q) + e));
    }
    REQUIRE_MESSAGE(per_element.defined(), "no composed form for loss " << loss);
    return mean(mean(per_element, -1));
}

}  // namespace

TEST_CASE("reference: loss cases written with core ops") {
    const auto cases = reference_cases("loss");
    REQUIRE(cases.size() >= 6);
    for (const auto& name : cases) {
        CAPTURE(name);
        const json c = load_case(name);
        const std::string pred_name = c.at("inputs").contains("logits") ? "logits" : "y_pred";
        Tensor pred = ref_tensor(c.at("inputs").at(pred_name));
        pred.requires_grad();
        const Tensor loss = composed_loss(c, pred);
        check_close(loss, c.at("outputs").at("loss"), name + " loss");
        loss.backward();
        check_close(pred.grad(), c.at("grads").at("inputs").at(pred_name), name + " grad");
    }
}
