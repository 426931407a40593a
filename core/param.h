// tapenet core: Param, a named trainable tensor.
//
// Layers own their parameters as Params ({"kernel", value}); a Network lists them under full names
// ({"lstm/kernel", value}), and optimizers key their per-parameter state by that name.
#pragma once

#include <string>

#include "core/tensor.h"

namespace tn {

// A trainable parameter: its name ("kernel" inside a layer, "lstm/kernel" in a network) and its
// value, a handle sharing the owner's storage.
struct Param {
    std::string name;
    Tensor value;
};

}  // namespace tn
