// TimeDistributed (layers/time_distributed.h): one layer over every step with one set of weights,
// against the dense_3d reference case, finite differences, a stateless wrapped layer, the mask
// passed on, and the config and weight names as TensorFlow.js 4.22 writes them.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/tape.h"
#include "io/json_config.h"
#include "io/model_format.h"
#include "layers/activation.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/flatten.h"
#include "layers/graph.h"
#include "layers/time_distributed.h"
#include "tests/reference.h"
#include "tests/test_util.h"
#include "train/load_model.h"
#include "train/model.h"

namespace tn {
namespace time_distributed_test {

Tensor uniform(Shape shape, uint64_t seed) { return testing::uniform_tensor(std::move(shape), seed); }

TEST_CASE("TimeDistributed(Dense): the dense_3d reference case, outputs and gradients") {
    for (const std::string& name : {std::string("dense_3d"), std::string("dense")}) {
        const testing::json doc = testing::load_case(name);
        Tensor x = testing::ref_tensor(doc.at("inputs").at("x"));
        if (x.ndim() == 2) x = reshape(x, {x.dim(0), 1, x.dim(1)});  // dense: each sample one step
        x.requires_grad();
        auto dense = std::make_shared<Dense>(doc.at("config").at("units").get<int64_t>(),
                                             doc.at("config").at("activation").get<std::string>());
        TimeDistributed td(dense);
        td.build(x.shape());
        REQUIRE(td.params().size() == 2);
        td.set_weights({testing::ref_tensor(doc.at("params").at("kernel")), testing::ref_tensor(doc.at("params").at("bias"))});
        tape::clear();
        Tensor y = td.forward(x);
        const Tensor& ref_y = testing::ref_tensor(doc.at("outputs").at("y"));
        y = reshape(y, ref_y.shape());
        double worst = testing::check_close(y, doc.at("outputs").at("y"), name + " y");
        y.backward(testing::ref_tensor(doc.at("objective").at("R")));
        worst = std::max(worst, testing::check_close(reshape(x.grad(), testing::ref_tensor(doc.at("inputs").at("x")).shape()),
                                                     doc.at("grads").at("inputs").at("x"), name + " dx"));
        for (const Param& p : td.params())  // the wrapper's params are the Dense's own tensors
            worst = std::max(worst, testing::check_close(p.value.grad(), doc.at("grads").at("params").at(p.name), name + " d" + p.name));
        CHECK(dense->weight("kernel").data() == td.weight("kernel").data());
        MESSAGE("TimeDistributed(Dense) on reference case " << name << ": max abs error " << worst);
    }
}

TEST_CASE("TimeDistributed: one set of weights for every step; finite differences") {
    auto dense = std::make_shared<Dense>(3, "tanh");
    TimeDistributed td(dense);
    td.set_seed(4);
    const Tensor x = uniform({2, 5, 4}, 1);
    const Tensor y = td.forward(x);
    CHECK(y.shape() == Shape{2, 5, 3});
    for (int64_t t = 0; t < 5; ++t)  // step t alone through the Dense gives the same numbers
        CHECK(testing::same_bits(select(y, 1, t), dense->forward(select(x, 1, t).clone())));
    std::vector<Tensor> inputs{x.clone()};
    for (const Param& p : td.params()) inputs.push_back(p.value);
    const GradcheckResult r = gradcheck([&](const std::vector<Tensor>& v) { return td.forward(v[0]); }, inputs);
    INFO(r.report);
    CHECK(r.ok);
    CHECK(tape::size() == 0);
}

TEST_CASE("TimeDistributed: a stateless layer, shapes, the mask passed on, errors") {
    TimeDistributed flat(std::make_shared<Flatten>());
    const Tensor x = uniform({2, 3, 2, 4}, 2);
    const Tensor y = flat.forward(x);
    CHECK(y.shape() == Shape{2, 3, 8});
    CHECK(testing::same_bits(y, reshape(x, {2, 3, 8}).clone()));
    CHECK(flat.output_shape({-1, 3, 2, 4}) == Shape{-1, 3, 8});
    CHECK(flat.params().empty());
    TimeDistributed act(std::make_shared<Activation>("tanh"));
    const Tensor mask = Tensor::ones({2, 3});
    CHECK(testing::same_bits(act.compute_mask(x, mask), mask));
    CHECK_THROWS_WITH_AS(act.output_shape({-1, 4}), doctest::Contains("rank 3 or more, got (-1, 4)"), ShapeError);
    // A wrapped layer built for other shapes is refused when the wrapper is built.
    auto built = std::make_shared<Dense>(2);
    built->build({-1, 7});
    TimeDistributed wrong(built);
    CHECK_THROWS_WITH_AS(wrong.build({-1, 5, 3}), doctest::Contains("was built for 7"), ShapeError);
    CHECK_FALSE(wrong.built());
}

TEST_CASE("TimeDistributed: config and weight names as TensorFlow.js writes them; a model round-trips") {
    testing::TempDir dir;
    auto x = Input({4, 3}, "input1");
    auto y = layer<TimeDistributed>(std::make_shared<Dense>(2, "tanh", /*use_bias=*/false))(x);
    Model model(x, y, "model1", 5);
    save_model(model, dir / "m.json");
    const auto j = testing::read_json(dir / "m.json");
    const auto& td = j.at("modelTopology").at("config").at("layers").at(1);
    CHECK(td.at("class_name") == "TimeDistributed");
    const auto& wrapped = td.at("config").at("layer");
    CHECK(wrapped.at("class_name") == "Dense");
    CHECK(wrapped.at("config").at("name") == "dense");
    CHECK(wrapped.at("config").at("units") == 2);
    CHECK(wrapped.at("config").at("use_bias") == false);
    const auto& weights = j.at("weightsManifest").at(0).at("weights");
    REQUIRE(weights.size() == 1);
    CHECK(weights.at(0).at("name") == "time_distributed/kernel");
    CHECK(weights.at(0).at("shape") == nlohmann::ordered_json::parse("[3, 2]"));
    const auto loaded = load_model(dir / "m.json");
    const Tensor xs = uniform({2, 4, 3}, 6);
    CHECK(testing::same_bits(loaded->predict(xs), model.predict(xs)));
    // The nested config as TF.js 4.22 wrote it (tests/tfjs: timeDistributed({layer: dense(...)})).
    const auto tfjs = nlohmann::ordered_json::parse(R"({"layer": {"class_name": "Dense", "config": {
        "units": 2, "activation": "tanh", "use_bias": false,
        "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1, "mode": "fan_avg", "distribution": "normal", "seed": null}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null,
        "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "name": "dense_Dense1", "trainable": true}},
        "name": "time_distributed_TimeDistributed1", "trainable": true})");
    const auto layer = layer_from_json("TimeDistributed", tfjs);
    const auto& wrapper = dynamic_cast<const TimeDistributed&>(*layer);
    CHECK(wrapper.layer().class_name() == "Dense");
    CHECK(wrapper.layer().name() == "dense_Dense1");
    CHECK(layer->output_shape({-1, 4, 3}) == Shape{-1, 4, 2});
    CHECK_THROWS_WITH(layer_from_json("TimeDistributed", nlohmann::ordered_json::parse(R"({"layer": 3})")),
                         "TimeDistributed config: 'layer' must be an object, got 3");
}

}  // namespace time_distributed_test
}  // namespace tn
