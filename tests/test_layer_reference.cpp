// The layers against the reference cases (tests/reference, or TAPENET_REFERENCE_DIR): every case
// whose op is dense, embedding, lstm or attention is loaded, its parameters are set, and every
// stored output and every gradient of L = sum(y * R) is compared with |got - ref| <= 1e-5 + 1e-4 |ref|.
// Shapes come from the files only: the same test runs on the hidden acceptance set.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "core/tape.h"
#include "layers/attention.h"
#include "layers/lstm.h"
#include "io/json_config.h"
#include "layers/registry.h"
#include "tests/reference.h"

namespace tn {
namespace {

using testing::check_close;
using testing::json;
using testing::load_case;
using testing::ref_tensor;
using testing::reference_cases;

const std::map<std::string, std::string> kClassOf = {
    {"dense", "Dense"}, {"embedding", "Embedding"}, {"lstm", "LSTM"}, {"attention", "Attention"}};

// The outputs of one forward of a built layer on x, by the names the reference files use.
std::map<std::string, Tensor> exposed_outputs(Layer& layer, const Tensor& x) {
    if (const auto* lstm = dynamic_cast<const LSTM*>(&layer)) {
        const LSTMOutputs o = lstm->run(x);
        return {{"y", o.y}, {"h_last", o.h}, {"c_last", o.c}};
    }
    if (const auto* att = dynamic_cast<const Attention*>(&layer)) {
        const AttentionOutputs o = att->attend(x);
        return {{"y", o.y}, {"alpha", o.weights}, {"score", o.scores}, {"context", o.context}, {"h_t", o.h_t}};
    }
    return {{"y", layer.forward(x)}};
}

// Runs one case and returns the largest absolute error over every compared tensor.
// `fused` picks the LSTM/Attention implementation (both must match the references).
double run_case(const std::string& op, const std::string& case_name, bool fused) {
    const json doc = load_case(case_name);
    INFO("case " << case_name);
    REQUIRE(doc.at("objective").at("type") == "weighted_sum");

    std::unique_ptr<Layer> layer = layer_from_json(kClassOf.at(op), doc.at("config"));
    if (auto* lstm = dynamic_cast<LSTM*>(layer.get())) lstm->set_fused(fused);
    if (auto* att = dynamic_cast<Attention*>(layer.get())) att->set_fused(fused);
    // The layer input: the one entry of "inputs" (x, h_s or indices).
    REQUIRE(doc.at("inputs").size() == 1);
    const std::string input_name = doc.at("inputs").begin().key();
    Tensor x = ref_tensor(doc.at("inputs").at(input_name));
    const bool differentiable_input = doc.at("grads").at("inputs").contains(input_name);
    if (differentiable_input) x.requires_grad();

    layer->build(x.shape());
    const json& ref_params = doc.at("params");
    REQUIRE_MESSAGE(layer->params().size() == ref_params.size(),
                    "the layer has " << layer->params().size() << " parameters, the case " << ref_params.size());
    std::vector<Tensor> weights;
    for (const Param& p : layer->params()) {
        REQUIRE_MESSAGE(ref_params.contains(p.name), "parameter " << p.name << " missing from the case");
        weights.push_back(ref_tensor(ref_params.at(p.name)));
    }
    layer->set_weights(weights);

    tape::clear();
    const auto outputs = exposed_outputs(*layer, x);
    const Tensor y = outputs.at("y");
    double worst = 0;
    for (const auto& [name, ref] : doc.at("outputs").items()) {
        REQUIRE_MESSAGE(outputs.count(name), "the case stores output '" << name << "' that the layer does not expose");
        worst = std::max(worst, check_close(outputs.at(name), ref, case_name + " output " + name));
    }

    const json& objective = doc.at("objective");
    REQUIRE(objective.at("of") == "y");
    y.backward(ref_tensor(objective.at("R")));
    for (const auto& [name, ref] : doc.at("grads").at("inputs").items()) {
        REQUIRE(name == input_name);
        worst = std::max(worst, check_close(x.grad(), ref, case_name + " d/d" + name));
    }
    const json& ref_grads = doc.at("grads").at("params");
    CHECK(ref_grads.size() == layer->params().size());
    for (const Param& p : layer->params())
        worst = std::max(worst, check_close(p.value.grad(), ref_grads.at(p.name), case_name + " d/d" + p.name));
    return worst;
}

void run_all(const std::string& op) {
    const auto cases = reference_cases(op);
    REQUIRE_MESSAGE(!cases.empty(), "no reference case with op " << op);
    for (const auto& name : cases) {
        const double fused = run_case(op, name, true);
        const double composed = run_case(op, name, false);
        MESSAGE("reference case " << name << ": max abs error " << fused << " (composed path " << composed << ")");
    }
}

TEST_CASE("layer reference: dense") { run_all("dense"); }
TEST_CASE("layer reference: embedding") { run_all("embedding"); }
TEST_CASE("layer reference: lstm") { run_all("lstm"); }
TEST_CASE("layer reference: attention") { run_all("attention"); }

}  // namespace
}  // namespace tn
