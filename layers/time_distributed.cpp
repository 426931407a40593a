#include "layers/time_distributed.h"

#include "core/error.h"
#include "core/ops.h"
#include "core/rng.h"
#include "layers/registry.h"

namespace tn {

TimeDistributed::TimeDistributed(std::shared_ptr<Layer> layer) : Layer("time_distributed"), layer_(std::move(layer)) {
    if (!layer_) value_error("time_distributed", "needs a layer to wrap");
}

void TimeDistributed::get_config(ConfigWriter& c) const {
    c.object("layer", [&](ConfigWriter& w) {
        w.text("class_name", layer_->class_name());
        w.object("config", [&](ConfigWriter& inner) {
            inner.text("name", layer_->name());
            inner.boolean("trainable", true);
            inner.text("dtype", "float32");
            layer_->get_config(inner);
        });
    });
}

std::unique_ptr<Layer> TimeDistributed::from_config(const ConfigReader& c) {
    const std::unique_ptr<ConfigReader> wrapped = c.object("layer");
    const std::unique_ptr<ConfigReader> config = wrapped->object("config");
    return std::make_unique<TimeDistributed>(layer_from_config(wrapped->text("class_name"), *config));
}

Shape TimeDistributed::step_shape(const Shape& input_shape) const {
    if (input_shape.size() < 3)
        shape_error(name(), "expected input of shape (batch, steps, ...) of rank 3 or more, got " + shape_str(input_shape));
    Shape step{input_shape[0] < 0 || input_shape[1] < 0 ? -1 : input_shape[0] * input_shape[1]};
    step.insert(step.end(), input_shape.begin() + 2, input_shape.end());
    return step;
}

Shape TimeDistributed::output_shape(const Shape& input_shape) const {
    const Shape inner = layer_->output_shape(step_shape(input_shape));
    Shape out{input_shape[0], input_shape[1]};
    out.insert(out.end(), inner.begin() + 1, inner.end());
    return out;
}

// The wrapped layer's weights, each spec handing over the wrapped layer's own tensor (built here
// first, with a seed drawn from the wrapper's generator), so that both share one storage.
std::vector<WeightSpec> TimeDistributed::weight_specs(const Shape& input_shape) const {
    const Shape step = step_shape(input_shape);
    std::vector<WeightSpec> specs = layer_->weight_specs(step);
    for (size_t k = 0; k < specs.size(); ++k) {
        specs[k].initializer = [layer = layer_, step, k, who = name()](const Shape& shape, Rng& rng) {
            if (!layer->built()) {
                layer->set_seed(rng.next_u64());
                layer->build(step);
            }
            const Tensor& w = layer->params().at(k).value;
            if (w.shape() != shape)
                shape_error(who, "the wrapped layer '" + layer->name() + "' was built for other shapes: its weight '" +
                                     layer->params()[k].name + "' is " + shape_str(w.shape()) + ", the steps need " + shape_str(shape));
            return w;
        };
    }
    return specs;
}

Tensor TimeDistributed::call(const Tensor& x, const Tensor&, bool training) const {
    output_shape(x.shape());
    Shape step = x.shape();
    step.erase(step.begin());
    step[0] = x.dim(0) * x.dim(1);
    const Tensor y = layer_->forward(reshape(x, step), training);
    Shape out{x.dim(0), x.dim(1)};
    out.insert(out.end(), y.shape().begin() + 1, y.shape().end());
    return reshape(y, out);
}

}  // namespace tn
