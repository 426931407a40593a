// The merge and shape layers a functional graph needs: values, shapes, masks, configs and a
// finite-difference gradient check for each (Concatenate, Add, Subtract, Multiply, Average, Dot,
// Activation, RepeatVector, Reshape, Permute, Flatten).
#include <doctest/doctest.h>

#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/rng.h"
#include "core/tape.h"
#include "io/json_config.h"
#include "layers/activation.h"
#include "layers/add.h"
#include "layers/average.h"
#include "layers/concatenate.h"
#include "layers/dot.h"
#include "layers/flatten.h"
#include "layers/multiply.h"
#include "layers/permute.h"
#include "layers/repeat_vector.h"
#include "layers/reshape.h"
#include "layers/subtract.h"

namespace tn {
namespace merge_layers_test {

Tensor uniform(Shape shape, uint64_t seed) {
    Rng rng(seed);
    return Tensor::uniform(std::move(shape), -1.0f, 1.0f, rng);
}

// Finite differences of every input of `layer` applied to `inputs`; returns its output.
Tensor check_gradients(Layer& layer, const std::vector<Tensor>& inputs) {
    std::vector<Tensor> clones;
    for (const Tensor& x : inputs) clones.push_back(x.clone());
    const auto f = [&](const std::vector<Tensor>& v) { return layer.forward_all(v, {}, false).at(0); };
    const GradcheckResult r = gradcheck(f, clones);
    INFO(layer.class_name() << ": " << r.report);
    CHECK(r.ok);
    CHECK(tape::size() == 0);
    NoGrad no_grad;
    std::vector<Shape> shapes;
    for (const Tensor& x : inputs) shapes.push_back(x.shape());
    const Tensor y = layer.forward_all(inputs, {}, false).at(0);
    CHECK(layer.output_shapes(shapes).at(0) == y.shape());
    // The config round-trips through the registry.
    const auto again = layer_from_json(layer.class_name(), layer_config_json(layer));
    CHECK(layer_config_json(*again) == layer_config_json(layer));
    return y;
}

TEST_CASE("merge layers: Add, Subtract, Multiply, Average values and gradients") {
    const Tensor a = uniform({2, 3, 4}, 1), b = uniform({2, 3, 4}, 2), c = uniform({2, 3, 4}, 3);
    Add add;
    const Tensor s = check_gradients(add, {a, b, c});
    CHECK(s[5] == doctest::Approx(a[5] + b[5] + c[5]));
    Subtract sub;
    CHECK(check_gradients(sub, {a, b})[7] == doctest::Approx(a[7] - b[7]));
    CHECK_THROWS_AS(sub.forward_all({a, b, c}, {}, false), ValueError);
    Multiply mul;
    CHECK(check_gradients(mul, {a, b})[3] == doctest::Approx(a[3] * b[3]));
    Average avg;
    CHECK(check_gradients(avg, {a, b})[2] == doctest::Approx((a[2] + b[2]) / 2));
    CHECK_THROWS_AS(add.output_shapes({{-1, 3, 4}, {-1, 3, 5}}), ShapeError);
    // Masks: the product of the defined ones.
    const Tensor m1 = Tensor::from_vector({1, 1, 0, 1, 0, 1}, {2, 3}), m2 = Tensor::from_vector({1, 0, 1, 1, 1, 1}, {2, 3});
    const Tensor m = add.compute_masks({a, b}, {m1, m2}).at(0);
    CHECK(m[1] == 0.0f);
    CHECK(m[2] == 0.0f);
    CHECK(m[3] == 1.0f);
    CHECK_FALSE(add.compute_masks({a, b}, {Tensor(), Tensor()}).at(0).defined());
}

TEST_CASE("Concatenate joins along its axis; gradients split back") {
    Concatenate last;
    const Tensor y = check_gradients(last, {uniform({2, 3, 4}, 4), uniform({2, 3, 2}, 5)});
    CHECK(y.shape() == Shape{2, 3, 6});
    Concatenate time(1);
    CHECK(check_gradients(time, {uniform({2, 3, 4}, 4), uniform({2, 1, 4}, 5)}).shape() == Shape{2, 4, 4});
    CHECK_THROWS_AS(last.output_shapes({{-1, 3, 4}, {-1, 2, 4}}), ShapeError);
}

TEST_CASE("Dot over the axes of seq2seq attention and of vectors") {
    const Tensor q = uniform({2, 3, 4}, 6), v = uniform({2, 5, 4}, 7);
    Dot scores({2, 2});
    const Tensor s = check_gradients(scores, {q, v});
    REQUIRE(s.shape() == Shape{2, 3, 5});
    double want = 0;
    for (int d = 0; d < 4; ++d) want += q[(1 * 3 + 2) * 4 + d] * v[(1 * 5 + 4) * 4 + d];
    CHECK(s[(1 * 3 + 2) * 5 + 4] == doctest::Approx(want));
    Dot context({2, 1});
    CHECK(check_gradients(context, {uniform({2, 3, 5}, 8), v}).shape() == Shape{2, 3, 4});
    Dot first({1, 1});
    CHECK(check_gradients(first, {uniform({2, 5, 3}, 9), v}).shape() == Shape{2, 3, 4});
    Dot vectors(1);
    CHECK(check_gradients(vectors, {uniform({3, 4}, 10), uniform({3, 4}, 11)}).shape() == Shape{3, 1});
    CHECK_THROWS_AS(scores.output_shapes({{-1, 3, 4}, {-1, 5, 3}}), ShapeError);
}

TEST_CASE("Activation, RepeatVector, Reshape, Permute, Flatten: values, shapes and gradients") {
    Activation softmax("softmax");
    const Tensor p = check_gradients(softmax, {uniform({2, 3, 5}, 12)});
    CHECK(p[0] + p[1] + p[2] + p[3] + p[4] == doctest::Approx(1.0));
    CHECK_THROWS_AS(Activation("swish"), ValueError);
    RepeatVector repeat(3);
    const Tensor x = uniform({2, 4}, 13);
    const Tensor r = check_gradients(repeat, {x});
    CHECK(r.shape() == Shape{2, 3, 4});
    CHECK(r[(1 * 3 + 2) * 4 + 1] == x[1 * 4 + 1]);
    Reshape reshape_layer({2, -1});
    CHECK(check_gradients(reshape_layer, {uniform({2, 3, 4}, 14)}).shape() == Shape{2, 2, 6});
    CHECK_THROWS_AS(reshape_layer.output_shapes({{-1, 5}}), ShapeError);
    Permute permute({2, 1});
    const Tensor t = uniform({2, 3, 4}, 15);
    const Tensor pt = check_gradients(permute, {t});
    CHECK(pt.shape() == Shape{2, 4, 3});
    CHECK(pt[(1 * 4 + 3) * 3 + 2] == t[(1 * 3 + 2) * 4 + 3]);
    Permute cycle({3, 1, 2});
    const Tensor u = uniform({2, 3, 4, 5}, 16);
    const Tensor pc = check_gradients(cycle, {u});
    CHECK(pc.shape() == Shape{2, 5, 3, 4});
    CHECK(pc[((1 * 5 + 4) * 3 + 2) * 4 + 1] == u[((1 * 3 + 2) * 4 + 1) * 5 + 4]);
    Flatten flatten;
    CHECK(check_gradients(flatten, {uniform({2, 3, 4}, 17)}).shape() == Shape{2, 12});
}

}  // namespace merge_layers_test
}  // namespace tn
