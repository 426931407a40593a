// tapenet train: load_model, a saved model (io/model_format.h) as a Model, ready to compile and train.
//
//   std::unique_ptr<tn::Model> model = tn::load_model("out/model.json");
//   model->predict(x);                                  // bit-identical to the saved model's predict
//   model->compile("mae", std::make_unique<tn::Adam>());  // to train on
//
// The model is built, not compiled; checkpoints (train/checkpoint.h) also restore the optimizer.
// Errors are load_network's: a tn::FormatError naming the file and what is wrong.
#pragma once

#include <memory>
#include <string>

#include "io/model_format.h"
#include "train/model.h"

namespace tn {

// Rebuilds the model from model.json and its weights with no user code (io/model_format.h's
// load_network into a new Model). Layer classes the program defines itself are passed in
// `custom_layers` (Keras' custom_objects): load_model("m.json", nullptr, {{"Scale", Scale::from_config}}).
std::unique_ptr<Model> load_model(const std::string& path, ModelFileInfo* info = nullptr,
                                  const CustomLayers& custom_layers = {});

}  // namespace tn
