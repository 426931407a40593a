// Masks along a functional graph (docs/layers.md, "Masks"): Embedding(mask_zero) -> LSTM ->
// Dot/Softmax attention gives padded encoder steps weight exactly 0; Activation("softmax") does not
// mask (as Keras and TF.js); Masking, Softmax and Dot's masks on their own.
#include <doctest/doctest.h>

#include <vector>

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/tape.h"
#include "layers/activation.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/dot.h"
#include "layers/embedding.h"
#include "layers/graph.h"
#include "layers/lstm.h"
#include "layers/masking.h"
#include "layers/network.h"
#include "layers/softmax.h"
#include "layers/time_distributed.h"
#include "tests/test_util.h"

namespace tn {
namespace mask_flow_test {

Tensor uniform(Shape shape, uint64_t seed) { return testing::uniform_tensor(std::move(shape), seed); }

// Encoder tokens (B = 2, Tv = 5) with padding (0) at the end of row 0 and the start of row 1;
// decoder tokens (B, Tq = 3) without padding.
Tensor tokens(std::vector<float> v, Shape shape) {
    Tensor t(shape);
    for (size_t i = 0; i < v.size(); ++i) t[static_cast<int64_t>(i)] = v[i];
    return t;
}

TEST_CASE("masks: Embedding(mask_zero) -> LSTM -> Dot/Softmax gives padded encoder steps weight exactly 0") {
    const Tensor enc = tokens({3, 1, 4, 0, 0, 0, 2, 2, 5, 1}, {2, 5}), dec = tokens({1, 2, 3, 4, 5, 1}, {2, 3});
    for (bool use_softmax_layer : {true, false}) {
        auto enc_in = Input({5}, "enc"), dec_in = Input({3}, "dec");
        auto h_enc = layer<LSTM>(4, true)(layer<Embedding>(6, 3, /*mask_zero=*/true)(enc_in));
        auto h_dec = layer<LSTM>(4, true)(layer<Embedding>(6, 3, /*mask_zero=*/true)(dec_in));
        auto scores = layer<Dot>(std::vector<int64_t>{2, 2})({h_dec, h_enc});
        KerasTensor alpha = use_softmax_layer ? KerasTensor(layer<Softmax>()(scores)) : KerasTensor(layer<Activation>("softmax")(scores));
        auto context = layer<Dot>(std::vector<int64_t>{2, 1})({alpha, h_enc});
        auto y = layer<TimeDistributed>(std::make_shared<Dense>(2, "tanh"))(layer<Concatenate>()({context, h_dec}));
        Network net({enc_in, dec_in}, {y, alpha}, "s2s", 3);
        const std::vector<Tensor> out = net.predict({enc, dec});
        const Tensor& a = out[1];  // (2, 3, 5)
        REQUIRE(a.shape() == Shape{2, 3, 5});
        for (int64_t b = 0; b < 2; ++b)
            for (int64_t q = 0; q < 3; ++q) {
                float sum = 0;
                for (int64_t v = 0; v < 5; ++v) {
                    const float w = a[(b * 3 + q) * 5 + v];
                    sum += w;
                    if (enc[b * 5 + v] == 0.0f) {
                        if (use_softmax_layer) CHECK(w == 0.0f);  // padded: exactly 0
                        else CHECK(w > 0.0f);                     // Activation ignores the mask
                    }
                }
                CHECK(sum == doctest::Approx(1.0f).epsilon(1e-6));
            }
    }
}

TEST_CASE("masks: Softmax applies a full-shape mask (gradients checked), ignores a sequence mask") {
    Softmax softmax;
    const Tensor x = uniform({2, 3, 4}, 1);
    Tensor mask = Tensor::ones({2, 3, 4});
    mask[1] = mask[6] = mask[23] = 0.0f;
    const Tensor y = softmax.forward(x, mask, false);
    CHECK(y[1] == 0.0f);
    CHECK(y[6] == 0.0f);
    CHECK(y[23] == 0.0f);
    CHECK(y[0] + y[2] + y[3] == doctest::Approx(1.0f));
    CHECK(testing::same_bits(softmax.forward(x, Tensor::ones({2, 3}), false), softmax.forward(x)));
    const GradcheckResult r = gradcheck([&](const std::vector<Tensor>& v) { return softmax.forward(v[0], mask, false); }, {x.clone()});
    INFO(r.report);
    CHECK(r.ok);
    CHECK_THROWS_AS(softmax.output_shape({-1}), ShapeError);
}

TEST_CASE("masks: Masking marks steps equal to mask_value and zeroes them; Dot passes the masks on") {
    Masking masking(0.0f);
    Tensor x = uniform({2, 3, 2}, 2);
    x[2] = x[3] = 0.0f;  // sample 0, step 1
    const Tensor mask = masking.compute_mask(x, Tensor());
    CHECK(mask.to_vector() == std::vector<float>{1, 0, 1, 1, 1, 1});
    CHECK(testing::same_bits(masking.forward(x), x));
    Tensor y = x.clone();
    y[4] = 5.0f;
    y[5] = 0.0f;
    Masking fives(5.0f);
    const Tensor z = fives.forward(y);  // step 2 of sample 0 is (5, 0): not all 5, so real
    CHECK(z[4] == 5.0f);

    Dot scores(std::vector<int64_t>{2, 2}), context(std::vector<int64_t>{2, 1});
    const Tensor q = uniform({2, 4, 2}, 3);
    const Tensor qmask = tokens({1, 1, 1, 0, 1, 1, 0, 0}, {2, 4});
    const std::vector<Tensor> m = scores.compute_masks({q, x}, {qmask, mask});
    REQUIRE(m.size() == 1);
    REQUIRE(m[0].shape() == Shape{2, 4, 3});
    CHECK(m[0][1] == 0.0f);              // query step 0, value step 1 (padded)
    CHECK(m[0][3 * 3 + 0] == 0.0f);      // query step 3 (padded), value step 0
    CHECK(m[0][0] == 1.0f);
    CHECK(testing::same_bits(scores.compute_masks({q, x}, {qmask, Tensor()})[0], qmask));
    const Tensor alpha = uniform({2, 4, 3}, 4);
    CHECK(context.compute_masks({alpha, x}, {m[0], mask})[0].to_vector() == qmask.to_vector());
    CHECK(Dot(1).compute_masks({uniform({2, 3}, 1), uniform({2, 3}, 2)}, {}).empty());
}

}  // namespace mask_flow_test
}  // namespace tn
