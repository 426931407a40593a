// Writes the TensorFlow.js ground-truth fixtures under tests/fixtures/ (run: node make_fixture.js).
//
// Each fixture directory holds model.json, the weights file its manifest names, inputs.json
// ({"x": tensor}) and expected.json ({"y": tensor}: TF.js' predictions for x, exact float32
// values). Weights and inputs come from a seeded generator, so a rerun writes the same files.
//
//   tfjs_*     built and saved by TF.js itself: what tapenet must read (TF.js names, hard_sigmoid,
//              VarianceScaling initializer objects, batch_input_shape, null time axis, masking).
//   tapenet_*  written by the JS reference of docs/format.md (tapenet_format.js), then loaded and
//              run by TF.js: what tapenet's writer must produce, and proof that TF.js loads it.
'use strict';

const path = require('path');
const fs = require('fs');
const tf = require('@tensorflow/tfjs');
require('./attention');
const {saveModel, loadModel} = require('./model_files');
const {tensorToJson, Rng} = require('./tensor_json');
const fmt = require('./tapenet_format');

const FIXTURES = path.join(__dirname, '..', 'fixtures');

function writeJson(file, obj) {
    fs.writeFileSync(file, JSON.stringify(obj, null, 1) + '\n');
}

// Sets every weight of `model` to uniform values in [-scale, scale), in model.weights order.
function setSeededWeights(model, rng, scale) {
    model.setWeights(model.weights.map((w) => tf.tensor(rng.uniform(
        w.shape.reduce((n, d) => n * d, 1), -scale, scale), w.shape)));
}

function writeInputsAndExpected(dir, description, x, y) {
    writeJson(path.join(dir, 'inputs.json'), {x: tensorToJson(x)});
    writeJson(path.join(dir, 'expected.json'), {description, y: tensorToJson(y)});
}

// A model built by TF.js and saved with TF.js' own topology (auto names, TF.js defaults).
async function tfjsFixture(name, description, build, makeInputs, weightScale) {
    const rng = new Rng(name.length * 7919 + 17);
    const model = build();
    setSeededWeights(model, rng, weightScale);
    const x = makeInputs(rng);
    const dir = path.join(FIXTURES, name);
    await saveModel(model, dir);
    // The expected values come from the saved-and-reloaded model, so they are what TF.js computes
    // from exactly these files.
    const reloaded = await loadModel(path.join(dir, 'model.json'));
    writeInputsAndExpected(dir, description, x, reloaded.predict(x));
    return dir;
}

// A model written in tapenet's format by the JS reference writer, then run by TF.js.
async function tapenetFixture(name, description, spec, makeInputs, weightScale) {
    const rng = new Rng(name.length * 104729 + 3);
    const weights = spec.weights.map((w) => Object.assign(
        {data: w.data != null ? w.data : rng.uniform(w.shape.reduce((n, d) => n * d, 1), -weightScale, weightScale)}, w));
    const dir = path.join(FIXTURES, name);
    fmt.writeTapenetModel(dir, Object.assign({}, spec, {weights}));
    const model = await loadModel(path.join(dir, 'model.json'));
    const x = makeInputs(rng);
    writeInputsAndExpected(dir, description, x, model.predict(x));
    return dir;
}

const uniformInput = (shape, scale) => (rng) =>
    tf.tensor(rng.uniform(shape.reduce((n, d) => n * d, 1), -scale, scale), shape);

// The weight list of LSTM(units) on `inputDim` features, as tapenet names and orders it.
const lstmWeights = (layer, inputDim, units) => [
    {name: `${layer}/kernel`, shape: [inputDim, 4 * units]},
    {name: `${layer}/recurrent_kernel`, shape: [units, 4 * units]},
    {name: `${layer}/bias`, shape: [4 * units]},
];
const denseWeights = (layer, inputDim, units) => [
    {name: `${layer}/kernel`, shape: [inputDim, units]},
    {name: `${layer}/bias`, shape: [units]},
];

async function main() {
    tf.enableProdMode(); // no "install tfjs-node" banner on stderr
    await tf.setBackend('cpu');
    const made = [];

    made.push(await tfjsFixture('tfjs_lstm_dense',
        'TF.js 4.22 Sequential: LSTM(4) on (T=5, D=3) with TF.js defaults (recurrent_activation ' +
        'hard_sigmoid = clip(0.2x + 0.5, 0, 1)), then Dense(2). Saved by TF.js, auto layer names.',
        () => {
            const m = tf.sequential();
            m.add(tf.layers.lstm({units: 4, inputShape: [5, 3]}));
            m.add(tf.layers.dense({units: 2}));
            return m;
        },
        uniformInput([3, 5, 3], 2.0), 1.5));

    made.push(await tfjsFixture('tfjs_lstm_seq_dense',
        'TF.js 4.22 Sequential: input (T=null, D=2); LSTM(4, return_sequences, default hard_sigmoid) ' +
        '-> LSTM(3, recurrent_activation sigmoid) -> Dense(1). Inputs have T=6.',
        () => {
            const m = tf.sequential();
            m.add(tf.layers.lstm({units: 4, returnSequences: true, inputShape: [null, 2]}));
            m.add(tf.layers.lstm({units: 3, recurrentActivation: 'sigmoid'}));
            m.add(tf.layers.dense({units: 1}));
            return m;
        },
        uniformInput([3, 6, 2], 2.0), 1.0));

    made.push(await tfjsFixture('tfjs_embedding_lstm_dense',
        'TF.js 4.22 Sequential: Embedding(10, 3, mask_zero, input_length 6) -> LSTM(4) -> ' +
        'Dropout(0.5) -> Dense(1, sigmoid). Index 0 is padding: rows 0 and 2 hold the same tokens ' +
        'post- and pre-padded, so masking makes their outputs equal; row 3 has no padding.',
        () => {
            const m = tf.sequential();
            m.add(tf.layers.embedding({inputDim: 10, outputDim: 3, maskZero: true, inputLength: 6}));
            m.add(tf.layers.lstm({units: 4}));
            m.add(tf.layers.dropout({rate: 0.5}));
            m.add(tf.layers.dense({units: 1, activation: 'sigmoid'}));
            return m;
        },
        () => tf.tensor2d([[3, 9, 1, 0, 0, 0], [5, 5, 2, 8, 0, 0], [0, 0, 0, 3, 9, 1],
                           [7, 6, 5, 4, 3, 2]], [4, 6], 'int32'),
        1.0));

    made.push(await tapenetFixture('tapenet_lstm_attention_dense',
        'tapenet format (docs/format.md example): LSTM(4, return_sequences, sigmoid) on (T=5, D=3) ' +
        '-> Attention(8, luong) -> Dense(1). Written by tests/tfjs/tapenet_format.js, predicted by TF.js.',
        {
            layers: [
                fmt.lstmConfig({name: 'lstm', units: 4, returnSequences: true, batchInputShape: [null, 5, 3]}),
                fmt.attentionConfig({name: 'attention', units: 8, score: 'luong'}),
                fmt.denseConfig({name: 'dense', units: 1}),
            ],
            weights: [
                ...lstmWeights('lstm', 3, 4),
                {name: 'attention/luong_w', shape: [4, 4]},
                {name: 'attention/attention_vector', shape: [8, 8]},
                ...denseWeights('dense', 8, 1),
            ],
        },
        uniformInput([3, 5, 3], 1.0), 0.8));

    // A checkpoint: Adam state as TF.js lays it out (iter, then every m, then every v, in weight
    // order), plus a trainingConfig so TF.js compiles the model and restores the optimizer.
    const modelWeights = [
        {name: 'embedding/embeddings', shape: [12, 3]},
        ...lstmWeights('lstm', 3, 3),
        {name: 'attention/bahdanau_w1', shape: [3, 3]},
        {name: 'attention/bahdanau_w2', shape: [3, 3]},
        {name: 'attention/bahdanau_v', shape: [3, 1]},
        {name: 'attention/attention_vector', shape: [6, 4]},
        ...denseWeights('dense', 4, 1),
    ];
    const moment = (suffix, scale) => (w) => ({
        name: `${w.name}/${suffix}`, shape: w.shape, group: 'optimizer',
        data: Float32Array.from({length: w.shape.reduce((n, d) => n * d, 1)}, (_, i) => scale * ((i % 7) + 1)),
    });
    made.push(await tapenetFixture('tapenet_checkpoint_bahdanau',
        'tapenet checkpoint: Embedding(12, 3, mask_zero) -> LSTM(3, return_sequences, sigmoid) -> ' +
        'Attention(4, bahdanau) -> Dropout(0.2) -> Dense(1, sigmoid), with Adam state after 3 steps ' +
        '(manifest group "optimizer": iter int32, then m, then v) and a trainingConfig. Rows 0 and 1 ' +
        'hold the same tokens post- and pre-padded: with the mask, Attention gives padded steps zero ' +
        'weight and takes h_t at the last real step, so their outputs are equal; row 2 has no padding.',
        {
            layers: [
                fmt.embeddingConfig({name: 'embedding', inputDim: 12, outputDim: 3, maskZero: true,
                                     batchInputShape: [null, 5]}),
                fmt.lstmConfig({name: 'lstm', units: 3, returnSequences: true}),
                fmt.attentionConfig({name: 'attention', units: 4, score: 'bahdanau'}),
                fmt.dropoutConfig({name: 'dropout', rate: 0.2}),
                fmt.denseConfig({name: 'dense', units: 1, activation: 'sigmoid'}),
            ],
            weights: [
                ...modelWeights,
                {name: 'iter', shape: [], dtype: 'int32', group: 'optimizer', data: [3]},
                ...modelWeights.map(moment('m', 0.001)),
                ...modelWeights.map(moment('v', 0.0001)),
            ],
            trainingConfig: {
                loss: 'binary_crossentropy',
                metrics: [],
                optimizer_config: {class_name: 'Adam', config: {learning_rate: 0.001, beta_1: 0.9,
                                                                  beta_2: 0.999, epsilon: 1e-7}},
            },
        },
        () => tf.tensor2d([[4, 7, 10, 0, 0], [0, 0, 4, 7, 10], [11, 3, 3, 8, 5]], [3, 5], 'int32'),
        0.9));

    for (const dir of made) {
        const files = fs.readdirSync(dir).map((f) => `${f} (${fs.statSync(path.join(dir, f)).size} B)`);
        console.log(`${path.relative(process.cwd(), dir)}: ${files.join(', ')}`);
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
