#include "train/checkpoint.h"

#include <algorithm>

#include "core/error.h"
#include "io/checkpoint_files.h"
#include "io/model_format.h"
#include "train/distributed.h"

namespace tn {

namespace {

TrainingState training_state(Model& model) {
    TrainingState state{model.optimizer(), {}, {}, model.seed(), model.shuffle_rng()};
    for (const Model::CompiledLoss& l : model.compiled_losses()) {
        state.losses.push_back(l.loss);
        state.loss_weights.push_back(l.weight);
    }
    return state;
}

// Compiles the model as the checkpoint names it, in the form the file gives (one loss, a list or a
// map by output name), and checks the losses against the model's outputs.
void compile_as_recipe(Model& model, CheckpointRecipe& recipe) {
    if (!recipe.losses_by_output.empty()) {
        model.compile(recipe.losses_by_output, std::move(recipe.optimizer), recipe.loss_weights_by_output);
    } else {
        std::vector<Loss> losses;
        for (const std::string& name : recipe.losses) losses.push_back(loss_by_name(name));
        model.compile(std::move(losses), std::move(recipe.optimizer), recipe.loss_weights);
    }
    (void)model.compiled_losses();
}

}  // namespace

void save_checkpoint(Model& model, int epoch, const std::string& path) {
    if (!model.compiled())
        value_error("save_checkpoint", "the model is not compiled: a checkpoint holds the optimizer's state");
    if (!distributed::is_root()) return;  // the replicas are identical: rank 0 writes for all
    write_checkpoint_files(model, training_state(model), epoch, path);
}

Checkpoint load_checkpoint(const std::string& path) {
    const ModelFiles files = read_model_files(path);
    require_checkpoint(files);
    CheckpointRecipe recipe = checkpoint_recipe(files);
    Checkpoint c;
    c.model = std::make_unique<Model>(recipe.seed);
    build_from_topology(*c.model, files);
    assign_weights(*c.model, files);
    try {
        compile_as_recipe(*c.model, recipe);
    } catch (const std::exception& e) {
        format_error(path, std::string("cannot compile the model it describes: ") + e.what() +
                               " (for a custom loss, compile the model yourself and use restore_checkpoint)");
    }
    TrainingState state = training_state(*c.model);
    c.epoch = apply_checkpoint(*c.model, state, files);
    return c;
}

int restore_checkpoint(Model& model, const std::string& path) {
    if (!model.compiled())
        value_error("restore_checkpoint", "compile the model first: the optimizer state is restored into it");
    const ModelFiles files = read_model_files(path);
    require_checkpoint(files);
    if (!model.built()) {
        Network saved;
        build_from_topology(saved, files);
        model.build(saved.input_shape());
    }
    // Weights are checked in full before any is written; then the rest is checked the same way.
    // A failure in the second step would leave new weights with the old optimizer state, so the
    // weights are saved first and put back.
    std::vector<Tensor> before;
    for (const Param& p : model.params()) before.push_back(p.value.clone());
    assign_weights(model, files);
    try {
        TrainingState state = training_state(model);
        return apply_checkpoint(model, state, files);
    } catch (...) {
        std::vector<Param> params = model.params();
        for (size_t i = 0; i < params.size(); ++i)
            std::copy(before[i].data(), before[i].data() + before[i].numel(), params[i].value.data());
        throw;
    }
}

}  // namespace tn
