// tapenet core (internal): a tensor seen as (outer, n, inner) around one axis, the shape every
// axis-wise op (softmax, sum, max, slice, concat) loops over. Element (o, k, i) sits at flat
// index (o * n + k) * inner + i.
#pragma once

#include "core/tensor.h"

namespace tn {

struct AxisView {
    int64_t outer = 1, n = 1, inner = 1;
    AxisView(const Shape& s, int64_t axis) {
        for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d) {
            if (d < axis) outer *= s[d];
            else if (d == axis) n = s[d];
            else inner *= s[d];
        }
    }
    int64_t at(int64_t o, int64_t k, int64_t i) const { return (o * n + k) * inner + i; }
};

}  // namespace tn
