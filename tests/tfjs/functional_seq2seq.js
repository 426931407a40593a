#!/usr/bin/env node
// Fixture (c) of issue #15: a functional seq2seq model with two inputs and two outputs, built,
// saved and run by TensorFlow.js 4.22, and a predictor for functional models tapenet saves.
//
//   node functional_seq2seq.js fixture                       writes tests/fixtures/tfjs_seq2seq_c/
//   node functional_seq2seq.js predict MODEL_JSON INPUTS_JSON   prints {"outputs": [tensor, ...]}
//
// The model (the TF.js date-conversion example's attention, with masks from the embeddings):
//   enc (B, 6) ints -> Embedding(10, 3, mask_zero) -> LSTM(5, return_sequences, return_state)
//   dec (B, 4) ints -> Embedding(10, 3, mask_zero) -> LSTM(5, return_sequences)
//   scores = Dot([2, 2])(dec, enc); alpha = Activation(softmax)(scores)          output 2: alpha
//   context = Dot([2, 1])(alpha, enc); y = TimeDistributed(Dense(7, softmax))(Concatenate(context, dec))
//                                                                                 output 1: y
// The decoder starts from zero state: TF.js 4.22 cannot run a saved model whose LSTM takes
// initial_state. Rows hold pre- and post-padding (token 0): TF.js masks both LSTMs; its Dot passes
// no mask on, so the softmax weighs padded encoder steps too (docs/layers.md, "Masks").
//
// inputs.json: {"inputs": [tensor, ...]} in the model's input order; expected.json and the
// predictor's output: {"outputs": [tensor, ...]} (the tests/reference tensor encoding).
'use strict';

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
require('./attention');
const {saveModel, loadModel} = require('./model_files');
const {tensorToJson, tensorFromJson, Rng} = require('./tensor_json');

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'tfjs_seq2seq_c');

function buildSeq2seq() {
    const enc = tf.input({shape: [6], name: 'enc'});
    const dec = tf.input({shape: [4], name: 'dec'});
    const encEmb = tf.layers.embedding({inputDim: 10, outputDim: 3, maskZero: true}).apply(enc);
    const [encSeq] = tf.layers.lstm({units: 5, returnSequences: true, returnState: true}).apply(encEmb);
    const decEmb = tf.layers.embedding({inputDim: 10, outputDim: 3, maskZero: true}).apply(dec);
    const decSeq = tf.layers.lstm({units: 5, returnSequences: true}).apply(decEmb);
    const scores = tf.layers.dot({axes: [2, 2]}).apply([decSeq, encSeq]);
    const alpha = tf.layers.activation({activation: 'softmax', name: 'attention'}).apply(scores);
    const context = tf.layers.dot({axes: [2, 1]}).apply([alpha, encSeq]);
    const joined = tf.layers.concatenate().apply([context, decSeq]);
    const y = tf.layers.timeDistributed({layer: tf.layers.dense({units: 7, activation: 'softmax'})}).apply(joined);
    return tf.model({inputs: [enc, dec], outputs: [y, alpha], name: 'seq2seq'});
}

// Encoder rows: post-padded, pre-padded, unpadded; decoder rows with padding too.
function fixtureInputs() {
    return [
        tf.tensor2d([[3, 9, 1, 0, 0, 0], [0, 0, 4, 2, 8, 5], [7, 6, 5, 4, 3, 2]], [3, 6], 'int32'),
        tf.tensor2d([[1, 2, 0, 0], [5, 3, 8, 1], [0, 9, 9, 4]], [3, 4], 'int32'),
    ];
}

async function writeFixture() {
    const model = buildSeq2seq();
    const rng = new Rng(15);
    model.setWeights(model.weights.map((w) => tf.tensor(rng.uniform(w.shape.reduce((n, d) => n * d, 1), -1, 1), w.shape)));
    await saveModel(model, FIXTURE);
    const reloaded = await loadModel(path.join(FIXTURE, 'model.json'));  // what TF.js computes from these files
    const inputs = fixtureInputs();
    const outputs = reloaded.predict(inputs);
    const write = (name, obj) => fs.writeFileSync(path.join(FIXTURE, name), JSON.stringify(obj, null, 1) + '\n');
    write('inputs.json', {inputs: inputs.map(tensorToJson)});
    write('expected.json', {description: 'functional_seq2seq.js: TF.js 4.22 predictions of the seq2seq fixture (c)',
                            outputs: outputs.map(tensorToJson)});
}

async function predict(modelJsonPath, inputsPath) {
    const model = await loadModel(modelJsonPath);
    const inputs = JSON.parse(fs.readFileSync(inputsPath, 'utf8')).inputs.map((t, i) => tensorFromJson(t, `input ${i}`));
    const out = model.predict(inputs.length === 1 ? inputs[0] : inputs);
    process.stdout.write(JSON.stringify({outputs: (Array.isArray(out) ? out : [out]).map(tensorToJson)}) + '\n');
}

async function main(argv) {
    tf.enableProdMode();
    await tf.setBackend('cpu');
    if (argv[0] === 'fixture' && argv.length === 1) return writeFixture();
    if (argv[0] === 'predict' && argv.length === 3) return predict(argv[1], argv[2]);
    throw new Error('usage: node functional_seq2seq.js fixture | predict MODEL_JSON INPUTS_JSON');
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e) => {
        process.stderr.write(`functional_seq2seq.js: ${e.message}\n`);
        process.exit(1);
    });
}

module.exports = {buildSeq2seq, fixtureInputs, FIXTURE};
