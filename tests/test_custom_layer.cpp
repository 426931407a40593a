// A layer defined here, outside tapenet, saves and loads like the built-in ones: it describes itself
// (get_config, from_config, weight_specs) and load_model is given its class (Keras' custom_objects).
#include <doctest/doctest.h>

#include "core/error.h"
#include "core/ops.h"
#include "train/load_model.h"
#include "layers/dense.h"
#include "layers/lstm.h"
#include "tests/test_util.h"

namespace tn {
namespace {

// y = x * scale + offset over the last axis; scale starts at `initial`, offset at 0.
class Scale : public Layer {
public:
    explicit Scale(double initial = 1.0) : Layer("scale"), initial_(initial) {}

    std::string class_name() const override { return "Scale"; }
    void get_config(ConfigWriter& c) const override { c.number("initial", initial_); }
    static std::unique_ptr<Layer> from_config(const ConfigReader& c) {
        return std::make_unique<Scale>(c.number("initial", 1.0));
    }
    Shape output_shape(const Shape& input_shape) const override { return input_shape; }
    std::vector<WeightSpec> weight_specs(const Shape& input_shape) const override {
        const double initial = initial_;
        return {{"scale", {input_shape.back()}, [initial](const Shape& s, Rng&) { return Tensor::full(s, float(initial)); }},
                {"offset", {input_shape.back()}, [](const Shape& s, Rng&) { return Tensor::zeros(s); }}};
    }

protected:
    Tensor call(const Tensor& x, const Tensor&, bool) const override { return x * weight("scale") + weight("offset"); }

private:
    double initial_;
};

TEST_CASE("a layer defined in a test file round-trips through save_model and load_model") {
    testing::TempDir dir;
    Model model(3);
    model.add<LSTM>(4, true);
    model.add(std::make_unique<Scale>(0.5));
    model.add<Dense>(2);
    model.build({-1, 5, 3});
    Rng rng(1);
    const Tensor x = Tensor::uniform({6, 5, 3}, -1, 1, rng);
    model.layer("scale").params()[1].value[2] = 0.25f;  // an offset that is not the initial one
    const Tensor before = model.predict(x);
    save_model(model, dir / "model.json");

    const auto loaded = load_model(dir / "model.json", nullptr, {{"Scale", Scale::from_config}});
    CHECK(loaded->layer("scale").class_name() == "Scale");
    CHECK(loaded->layer("scale").params()[0].value[0] == 0.5f);
    const Tensor after = loaded->predict(x);
    REQUIRE(after.shape() == before.shape());
    for (int64_t i = 0; i < after.numel(); ++i) CHECK(after[i] == before[i]);

    // Without the class, the error names it.
    CHECK_THROWS_WITH_AS(load_model(dir / "model.json"), doctest::Contains("unknown layer class 'Scale'"), FormatError);
}

}  // namespace
}  // namespace tn
