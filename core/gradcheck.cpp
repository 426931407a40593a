#include "core/gradcheck.h"

#include <cmath>
#include <sstream>

#include "core/rng.h"
#include "core/tape.h"

namespace tn {

// L = sum(y * R), accumulated in double.
static double projected(const Tensor& y, const Tensor& r) {
    double s = 0;
    for (int64_t i = 0; i < y.numel(); ++i) s += static_cast<double>(y[i]) * r[i];
    return s;
}

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          std::vector<Tensor> inputs, GradcheckOptions opts) {
    GradcheckResult res;
    for (auto& x : inputs) {
        x.requires_grad(true);
        x.zero_grad();
    }
    tape::clear();
    Tensor y = f(inputs);
    Rng rng(opts.seed);
    Tensor r = Tensor::uniform(y.shape(), -1.0f, 1.0f, rng);
    y.backward(r);

    NoGrad no_grad;
    for (size_t k = 0; k < inputs.size(); ++k) {
        Tensor& x = inputs[k];
        const Tensor analytic = x.grad();
        for (int64_t i = 0; i < x.numel(); ++i) {
            const float saved = x[i];
            // Divide by the step actually taken after rounding x +- h to float32.
            const float x_up = static_cast<float>(saved + opts.step);
            const float x_down = static_cast<float>(saved - opts.step);
            x[i] = x_up;
            const double up = projected(f(inputs), r);
            x[i] = x_down;
            const double down = projected(f(inputs), r);
            x[i] = saved;
            const double numeric = (up - down) / (static_cast<double>(x_up) - x_down);
            const double a = analytic[i];
            const double err = std::abs(a - numeric);
            const double scale = std::max(std::abs(a), std::abs(numeric));
            res.max_abs_err = std::max(res.max_abs_err, err);
            if (scale > opts.atol) res.max_rel_err = std::max(res.max_rel_err, err / scale);
            if (err > opts.atol + opts.rtol * scale && res.ok) {
                res.ok = false;
                std::ostringstream os;
                os << "input " << k << " element " << i << ": analytic " << a << " vs numeric " << numeric;
                res.report = os.str();
            }
        }
    }
    return res;
}

}  // namespace tn
