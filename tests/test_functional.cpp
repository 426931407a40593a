// The functional API (layers/graph.h, layers/network.h): tn::Input, layers applied to symbolic
// tensors, shared layers, several inputs and outputs, and a Sequential stack as the same graph.
#include <doctest/doctest.h>

#include <fstream>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "core/rng.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/graph.h"
#include "layers/lstm.h"
#include "optim/adam.h"
#include "io/model_format.h"
#include "layers/add.h"
#include "layers/concatenate.h"
#include "layers/dot.h"
#include "layers/activation.h"
#include "train/load_model.h"
#include "train/model.h"
#include "tests/test_util.h"

namespace tn {
namespace functional_test {

using testing::same_bits;
Tensor uniform(Shape shape, uint64_t seed) { return testing::uniform_tensor(std::move(shape), seed); }

TEST_CASE("functional: the README model equals the same Sequential stack, bit for bit") {
    auto inputs = Input({6, 2});
    auto x = layer<LSTM>(5, true)(inputs);
    x = layer<Attention>(4)(x);
    auto outputs = layer<Dense>(1)(x);
    Model functional(inputs, outputs, "readme", /*seed=*/3);
    CHECK(functional.built());
    CHECK(functional.layers().size() == 3);
    CHECK(functional.layers()[2]->name() == "dense");
    CHECK(functional.input_shape() == Shape{-1, 6, 2});

    Model stacked(3);
    stacked.add<LSTM>(5, true);
    stacked.add<Attention>(4);
    stacked.add<Dense>(1);
    stacked.build({-1, 6, 2});
    const Tensor xs = uniform({7, 6, 2}, 4);
    CHECK(same_bits(functional.predict(xs), stacked.predict(xs)));
    CHECK(functional.count_params() == stacked.count_params());
    CHECK(functional.summary().find("attention (Attention)") != std::string::npos);

    // fit trains the functional model exactly as the stack.
    const Tensor ys = uniform({7, 1}, 5);
    functional.compile("mae", std::make_unique<Adam>());
    stacked.compile("mae", std::make_unique<Adam>());
    const auto h1 = functional.fit(xs, ys, {.epochs = 2, .batch_size = 3, .verbose = 0});
    const auto h2 = stacked.fit(xs, ys, {.epochs = 2, .batch_size = 3, .verbose = 0});
    CHECK(h1.loss == h2.loss);
}

TEST_CASE("functional: a shared layer applied twice keeps one set of weights; two inputs, two outputs") {
    auto a = Input({3}), b = Input({3});
    auto shared = layer<Dense>(2);
    KerasTensor ya = shared(a), yb = shared(b);
    Network net({a, b}, {ya, yb}, "two", 1);
    CHECK(net.layers().size() == 1);
    CHECK(net.params().size() == 2);
    CHECK(net.nodes().size() == 4);
    CHECK(net.nodes()[3].node_index == 1);
    const Tensor xa = uniform({4, 3}, 1), xb = uniform({4, 3}, 2);
    const std::vector<Tensor> out = net.predict({xa, xb});
    REQUIRE(out.size() == 2);
    CHECK(same_bits(out[0], shared->forward(xa)));
    CHECK(same_bits(out[1], shared->forward(xb)));
    CHECK_THROWS_AS(net.predict(xa), ValueError);
}

TEST_CASE("functional: LSTM return_state and Attention weights as outputs") {
    auto x = Input({5, 2});
    auto lstm = layer<LSTM>(3, true, "tanh", "sigmoid", true, true, /*return_state=*/true);
    KerasTensors seq = lstm(x);
    REQUIRE(seq.size() == 3);
    CHECK(seq[1].shape() == Shape{-1, 3});
    auto att = layer<Attention>(4, "luong", /*return_attention_scores=*/true)(seq[0]);
    Network net(x, {att[0], att[1], seq[1]}, "m", 2);
    const Tensor xs = uniform({2, 5, 2}, 3);
    const std::vector<Tensor> out = net.predict(std::vector<Tensor>{xs});
    REQUIRE(out.size() == 3);
    CHECK(out[1].shape() == Shape{2, 5});
    const LSTMOutputs run = lstm->run(xs);
    CHECK(same_bits(out[2], run.h));
    // A decoder started from the encoder's state: {x, h0, c0}.
    auto decoder = layer<LSTM>(3, true)({x, seq[1], seq[2]});
    Network seq2seq(x, decoder, "s2s", 2);
    CHECK(seq2seq.predict(xs).shape() == Shape{2, 5, 3});
}

TEST_CASE("functional: summary with Keras' Connected to column; a plain chain prints as a Sequential") {
    const std::string thin(98, '_'), thick(98, '=');
    auto a = Input({3}), b = Input({3});  // unnamed: "input" and "input_1"
    auto shared = layer<Dense>(4);
    auto sum = layer<Add>()({shared(a), shared(b)});
    Network siamese({a, b}, layer<Dense>(1)(sum), "siamese", 1);
    CHECK(siamese.summary() ==
          "Model: \"siamese\"\n" + thin + "\n" +
          " Layer (type)                   Output Shape         Param #     Connected to\n" + thick + "\n" +
          " input (InputLayer)             [(None, 3)]          0           []\n"
          " input_1 (InputLayer)           [(None, 3)]          0           []\n"
          " dense (Dense)                  (None, 4)            16          ['input[0][0]',\n"
          "                                                                  'input_1[0][0]']\n"
          " add (Add)                      (None, 4)            0           ['dense[0][0]',\n"
          "                                                                  'dense[1][0]']\n"
          " dense_1 (Dense)                (None, 1)            5           ['add[0][0]']\n" +
          thick + "\n"
          "Total params: 21\n"
          "Trainable params: 21\n"
          "Non-trainable params: 0\n" + thin + "\n");
    // The unnamed inputs got distinct names, so the saved model loads and prints the same table.
    testing::TempDir dir;
    save_model(siamese, dir / "siamese.json");
    CHECK(load_model(dir / "siamese.json")->summary() == siamese.summary());

    // A layer applied to inputs of different shapes has "multiple" output shapes, as in Keras.
    auto p = Input({3}, "flat"), q = Input({2, 3}, "steps");
    auto both = layer<Dense>(2);
    auto named = layer<Dense>(1);
    named->set_name("a_dense_layer_with_a_name_too_long_for_its_column");
    Network mixed({p, q}, {both(p), named(both(q))}, "mixed", 1);
    CHECK(mixed.summary() ==
          "Model: \"mixed\"\n" + thin + "\n" +
          " Layer (type)                   Output Shape         Param #     Connected to\n" + thick + "\n" +
          " flat (InputLayer)              [(None, 3)]          0           []\n"
          " steps (InputLayer)             [(None, 2, 3)]       0           []\n"
          " dense (Dense)                  multiple             8           ['flat[0][0]',\n"
          "                                                                  'steps[0][0]']\n"
          " a_dense_layer_with_a_name_too  (None, 2, 1)         3           ['dense[1][0]']\n"
          " _long_for_its_column (Dense)\n" +
          thick + "\n"
          "Total params: 11\n"
          "Trainable params: 11\n"
          "Non-trainable params: 0\n" + thin + "\n");

    // Keras prints a graph that is a chain as a Sequential model, with its InputLayer; a layer
    // with several outputs lists their shapes, one a line.
    auto x = Input({5, 2});
    auto lstm = layer<LSTM>(3, true, "tanh", "sigmoid", true, true, /*return_state=*/true);
    KerasTensors seq = lstm(x);
    Network states(x, {seq[1], layer<Dense>(2)(seq[0])}, "states", 1);
    CHECK(states.summary() ==
          "Model: \"states\"\n"
          "_________________________________________________________________\n"
          " Layer (type)                Output Shape              Param #\n"
          "=================================================================\n"
          " input (InputLayer)          [(None, 5, 2)]            0\n"
          " lstm (LSTM)                 [(None, 5, 3),            72\n"
          "                              (None, 3),\n"
          "                              (None, 3)]\n"
          " dense (Dense)               (None, 5, 2)              8\n"
          "=================================================================\n"
          "Total params: 80\n"
          "Trainable params: 80\n"
          "Non-trainable params: 0\n"
          "_________________________________________________________________\n");
}

TEST_CASE("predict and forward: {x} is a list of inputs as a vector is; x alone is the single-tensor form") {
    static_assert(std::is_same_v<decltype(std::declval<Network&>().predict(std::declval<Tensor>())), Tensor>);
    static_assert(std::is_same_v<decltype(std::declval<Network&>().predict({std::declval<Tensor>()})), Tensors>);
    static_assert(std::is_same_v<decltype(std::declval<Network&>().forward({std::declval<Tensor>()})), Tensors>);
    const Tensor xs = uniform({6, 5, 2}, 3);

    // One input, one output: every form gives the same tensor; the lists convert to it, as Keras'
    // predict([x]) gives the array itself.
    auto x = Input({5, 2});
    Network single(x, layer<Dense>(3)(layer<LSTM>(4)(x)), "single", 2);
    const Tensor plain = single.predict(xs);
    const Tensor braced = single.predict({xs});
    const std::vector<Tensor> listed = single.predict({xs}, /*batch_size=*/4);
    CHECK(plain.shape() == Shape{6, 3});
    CHECK(same_bits(braced, plain));
    REQUIRE(listed.size() == 1);
    CHECK(same_bits(listed[0], plain));
    CHECK(same_bits(single.predict(std::vector<Tensor>{xs})[0], plain));
    CHECK(same_bits(single.forward({xs})[0], single.forward(xs)));

    // One input, three outputs: {x} gives them all; x alone, or taking the list as one tensor,
    // says why it cannot.
    auto lstm = layer<LSTM>(3, true, "tanh", "sigmoid", true, true, /*return_state=*/true);
    KerasTensors seq = lstm(x);
    Network states(x, {seq[0], seq[1], seq[2]}, "states", 2);
    const Tensors all = states.predict({xs});
    REQUIRE(all.size() == 3);
    const std::vector<Tensor> by_vector = states.predict(std::vector<Tensor>{xs});
    for (size_t i = 0; i < 3; ++i) CHECK(same_bits(all[i], by_vector[i]));
    CHECK(all[1].shape() == Shape{6, 3});
    CHECK_THROWS_WITH_AS(states.predict(xs), doctest::Contains("has 3 outputs: predict({x}) gives them all"),
                         ValueError);
    CHECK_THROWS_WITH_AS(Tensor(states.predict({xs})), doctest::Contains("has 3 outputs, not one"), ValueError);
    CHECK(states.forward({xs}).size() == 3);
    CHECK_THROWS_WITH_AS(states.predict({}), doctest::Contains("got no inputs"), ValueError);
}

TEST_CASE("functional: errors name what is wrong") {
    auto x = Input({4});
    auto y = layer<Dense>(2)(x);
    auto other = Input({4});
    CHECK_THROWS_WITH_AS(Network(other, y), doctest::Contains("graph disconnected"), ValueError);
    auto named_x = Input({4}, "x");
    auto clash = layer<Dense>(2);
    clash->set_name("x");
    CHECK_THROWS_WITH_AS(Network(named_x, clash(named_x)), doctest::Contains("a layer named 'x' is already in the model"),
                         ValueError);
    CHECK_THROWS_AS(layer<LSTM>(2)(x), ShapeError);  // LSTM needs (batch, steps, features)
    Network net(x, y);
    CHECK_THROWS_WITH_AS(net.add<Dense>(1), doctest::Contains("add() is for Sequential models"), ValueError);
    CHECK_THROWS_WITH_AS(net.predict(uniform({2, 5}, 1)), doctest::Contains("expected input of shape (-1, 4), got (2, 5)"),
                         ShapeError);
}

TEST_CASE("format: a functional model with shared layers, several inputs and outputs round-trips bit-identically") {
    testing::TempDir dir;
    auto a = Input({5, 3}, "enc_in"), b = Input({4, 3}, "dec_in");
    auto encoder = layer<LSTM>(4, true, "tanh", "sigmoid", true, true, /*return_state=*/true);
    KerasTensors enc = encoder(a);
    auto decoder = layer<LSTM>(4, true)({b, enc[1], enc[2]});
    auto scores = layer<Dot>(std::vector<int64_t>{2, 2})({decoder, enc[0]});
    auto alpha = layer<Activation>("softmax")(scores);
    auto context = layer<Dot>(std::vector<int64_t>{2, 1})({alpha, enc[0]});
    auto joined = layer<Concatenate>()({context, decoder});
    auto shared = layer<Dense>(2);
    auto y = layer<Add>()({shared(context), shared(decoder), layer<Dense>(2)(joined)});
    Model model({a, b}, {y, alpha}, "seq2seq", 9);
    const Tensor xa = uniform({3, 5, 3}, 1), xb = uniform({3, 4, 3}, 2);
    const std::vector<Tensor> before = model.predict({xa, xb});
    save_model(model, dir / "m.json");

    const auto j = testing::read_json(dir / "m.json");
    const auto& topology = j.at("modelTopology");
    CHECK(topology.at("class_name") == "Model");
    CHECK(topology.at("config").at("input_layers") == nlohmann::ordered_json::parse(R"([["enc_in", 0, 0], ["dec_in", 0, 0]])"));
    CHECK(topology.at("config").at("output_layers") == nlohmann::ordered_json::parse(R"([["add", 0, 0], ["activation", 0, 0]])"));
    for (const auto& l : topology.at("config").at("layers"))
        if (l.at("name") == "dense") CHECK(l.at("inbound_nodes").size() == 2);  // shared: two nodes

    const auto loaded = load_model(dir / "m.json");
    CHECK_FALSE(loaded->sequential());
    CHECK(loaded->layers().size() == model.layers().size());
    const std::vector<Tensor> after = loaded->predict({xa, xb});
    REQUIRE(after.size() == 2);
    CHECK(same_bits(after[0], before[0]));
    CHECK(same_bits(after[1], before[1]));
}

TEST_CASE("format: a TF.js-style functional file, layers in any order, loads") {
    testing::TempDir dir;
    auto x = Input({3}, "input1");
    auto y = layer<Dense>(2)(layer<Dense>(4, "relu")(x));
    Model model(x, y, "model1", 4);
    save_model(model, dir / "m.json");
    auto j = testing::read_json(dir / "m.json");
    auto& layers = j["modelTopology"]["config"]["layers"];
    std::swap(layers[0], layers[2]);  // the last layer first: nodes are made once their inputs are
    j["modelTopology"]["class_name"] = "Functional";
    std::ofstream(dir / "m.json") << j.dump();
    const auto loaded = load_model(dir / "m.json");
    const Tensor xs = uniform({5, 3}, 3);
    CHECK(same_bits(loaded->predict(xs), model.predict(xs)));
}

}  // namespace functional_test
}  // namespace tn
