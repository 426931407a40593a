// Writes the functional-model fixtures under tests/fixtures/functional/ (run: node make_functional_fixtures.js).
//
// Each directory holds model.json, weights.bin, inputs.json ({"x": [tensor, ...]}, one per model
// input) and expected.json ({"y": [tensor, ...]}, one per output: TF.js' predictions, exact float32).
// Weights and inputs come from a seeded generator, so a rerun writes the same files.
//
//   tfjs_readme_attention      keras-attention's README example as TF.js builds it with the functional
//                              API: Input(10, 1) -> LSTM(16, return_sequences) -> Attention(8, luong)
//                              (the JS layer of attention.js) -> Dense(1).
//   tfjs_shared_dense_merge    two inputs, ONE Dense applied to both (shared weights), Concatenate and
//                              Add of its two applications, Dense on top; two outputs.
//   keras_attention_bahdanau   add_two_numbers' model (Input(20, 1) -> LSTM(6, return_sequences) ->
//                              Attention(4, bahdanau) -> Dense(1)) saved by TF.js, then its weights
//                              renamed as a Keras model converted to TF.js names them: keras-attention
//                              builds its weights as Dense sublayers ("attention/bahdanau_w1/kernel",
//                              ...), Keras' LSTM keeps them in its cell ("lstm/lstm_cell/kernel").
//                              expected.json is the TF.js prediction before the renaming.
'use strict';

const path = require('path');
const fs = require('fs');
const tf = require('@tensorflow/tfjs');
const {Attention} = require('./attention');
const {saveModel, loadModel} = require('./model_files');
const {tensorToJson, Rng} = require('./tensor_json');

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'functional');

function writeJson(file, obj) {
    fs.writeFileSync(file, JSON.stringify(obj, null, 1) + '\n');
}

const asList = (t) => (Array.isArray(t) ? t : [t]);

// Sets every weight of `model` to uniform values in [-scale, scale), in model.weights order.
function setSeededWeights(model, rng, scale) {
    model.setWeights(model.weights.map((w) => tf.tensor(rng.uniform(
        w.shape.reduce((n, d) => n * d, 1), -scale, scale), w.shape)));
}

const uniform = (rng, shape, lo, hi) => tf.tensor(rng.uniform(shape.reduce((n, d) => n * d, 1), lo, hi), shape);

// Builds, seeds, saves and reloads a model; writes inputs.json and expected.json from the reloaded
// model, so they are what TF.js computes from exactly these files. Returns the directory.
async function fixture(name, description, build, makeInputs, weightScale) {
    const rng = new Rng(name.length * 7919 + 29);
    const model = build();
    setSeededWeights(model, rng, weightScale);
    const xs = makeInputs(rng);
    const dir = path.join(FIXTURES, name);
    await saveModel(model, dir);
    const reloaded = await loadModel(path.join(dir, 'model.json'));
    writeJson(path.join(dir, 'inputs.json'), {x: xs.map(tensorToJson)});
    writeJson(path.join(dir, 'expected.json'),
              {description, y: asList(reloaded.predict(xs.length === 1 ? xs[0] : xs)).map(tensorToJson)});
    return dir;
}

// The README example: Input -> LSTM(return_sequences) -> Attention(units, score) -> Dense(1).
function readmeModel(steps, features, lstmUnits, attentionUnits, score, name) {
    const input = tf.input({shape: [steps, features], name: 'input'});
    const h = tf.layers.lstm({units: lstmUnits, returnSequences: true, recurrentActivation: 'sigmoid', name: 'lstm'})
        .apply(input);
    const a = new Attention({units: attentionUnits, score, name: 'attention'}).apply(h);
    const y = tf.layers.dense({units: 1, name: 'dense'}).apply(a);
    return tf.model({inputs: input, outputs: y, name});
}

function sharedDenseModel() {
    const left = tf.input({shape: [3], name: 'left'});
    const right = tf.input({shape: [3], name: 'right'});
    const shared = tf.layers.dense({units: 4, activation: 'tanh', name: 'shared'});
    const a = shared.apply(left);
    const b = shared.apply(right);
    const both = tf.layers.concatenate({name: 'concatenate'}).apply([a, b]);
    const sum = tf.layers.add({name: 'add'}).apply([a, b]);
    const top = tf.layers.concatenate({name: 'concatenate_1'}).apply([both, sum]);
    const y = tf.layers.dense({units: 2, name: 'head'}).apply(top);
    return tf.model({inputs: [left, right], outputs: [y, sum], name: 'shared_dense'});
}

// Renames the weights of a saved model.json as Keras (converted to TF.js) names them.
function renameAsKeras(dir) {
    const file = path.join(dir, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    const rename = (name) => {
        const [layer, weight] = name.split('/');
        if (layer === 'attention') return `${layer}/${weight}/kernel`;
        if (layer === 'lstm') return `${layer}/lstm_cell/${weight}`;
        return name;
    };
    for (const group of json.weightsManifest) {
        for (const entry of group.weights) entry.name = rename(entry.name);
    }
    json.generatedBy = 'keras v2.14.0 (names as tensorflowjs_converter writes them)';
    json.convertedBy = 'TensorFlow.js Converter v4.22.0';
    fs.writeFileSync(file, JSON.stringify(json, null, 1) + '\n');
}

async function main() {
    tf.enableProdMode();
    await tf.setBackend('cpu');
    const made = [];

    made.push(await fixture('tfjs_readme_attention',
        "keras-attention's README example, functional, built and saved by TF.js 4.22: Input(10, 1) -> " +
        'LSTM(16, return_sequences, sigmoid) -> Attention(8, luong) -> Dense(1).',
        () => readmeModel(10, 1, 16, 8, 'luong', 'readme'),
        (rng) => [uniform(rng, [4, 10, 1], 0, 1)], 0.5));

    made.push(await fixture('tfjs_shared_dense_merge',
        'TF.js 4.22 functional: inputs left (3) and right (3); ONE Dense(4, tanh) "shared" applied to both; ' +
        'Concatenate and Add of the two applications, Concatenate of those, Dense(2) "head". Outputs: ' +
        '[head, add].',
        sharedDenseModel,
        (rng) => [uniform(rng, [5, 3], -1, 1), uniform(rng, [5, 3], -1, 1)], 0.8));

    const keras = await fixture('keras_attention_bahdanau',
        "add_two_numbers' model with Keras' weight names: Input(20, 1) -> LSTM(6, return_sequences, sigmoid) " +
        '-> Attention(4, bahdanau) -> Dense(1); saved by TF.js, weights renamed as tensorflowjs_converter ' +
        'names a Keras model: attention/bahdanau_w1/kernel, ..., lstm/lstm_cell/kernel.',
        () => readmeModel(20, 1, 6, 4, 'bahdanau', 'add_two_numbers'),
        (rng) => [uniform(rng, [3, 20, 1], 0, 1)], 0.6);
    renameAsKeras(keras);
    made.push(keras);

    for (const dir of made) {
        const files = fs.readdirSync(dir).map((f) => `${f} (${fs.statSync(path.join(dir, f)).size} B)`);
        console.log(`${path.relative(process.cwd(), dir)}: ${files.join(', ')}`);
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
