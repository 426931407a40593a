// tapenet layers: Add (Keras Add: the sum of its inputs. layers/merge.h has the rules all merges share).
#pragma once

#include "layers/merge.h"

namespace tn {

class Add : public Merge {
public:
    Add() : Merge("add") {}
    std::string class_name() const override { return "Add"; }
    static std::unique_ptr<Layer> from_config(const ConfigReader&) { return std::make_unique<Add>(); }

protected:
    Tensor merge(const std::vector<Tensor>& inputs) const override;
};

}  // namespace tn
