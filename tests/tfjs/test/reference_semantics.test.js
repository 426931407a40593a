// TF.js layers (and the JS Attention) against tests/reference (PyTorch float64): the weights tapenet
// keeps in Keras layout work in TF.js unchanged, and a model written in tapenet's format from the
// reference parameters predicts the reference outputs when TF.js runs it.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('@tensorflow/tfjs');
require('../attention');
const {loadModel} = require('../model_files');
const {tensorFromJson} = require('../tensor_json');
const {assertClose} = require('../assert_close');
const fmt = require('../tapenet_format');

const REFERENCE = path.join(__dirname, '..', '..', 'reference');
const readReference = (name) => JSON.parse(fs.readFileSync(path.join(REFERENCE, name), 'utf8'));
const params = (ref, names) => names.map((n) => tensorFromJson(ref.params[n], n));

for (const name of ['lstm_last_a', 'lstm_last_b', 'lstm_seq_a', 'lstm_seq_b']) {
    test(`TF.js LSTM (sigmoid) with Keras-layout weights matches reference ${name}`, () => {
        const ref = readReference(`${name}.json`);
        const x = tensorFromJson(ref.inputs.x);
        assert.equal(ref.config.recurrent_activation, 'sigmoid');
        assert.equal(ref.config.gate_order, 'i,f,c,o');
        const lstm = tf.layers.lstm({units: ref.config.units, returnSequences: ref.config.return_sequences,
                                     recurrentActivation: 'sigmoid'});
        lstm.apply(x); // builds the weights
        lstm.setWeights(params(ref, ['kernel', 'recurrent_kernel', 'bias']));
        const y = lstm.apply(x);
        assert.deepEqual(y.shape, ref.outputs.y.shape);
        assertClose(y.dataSync(), ref.outputs.y.data, {atol: 1e-6, what: 'y'});
    });
}

test('TF.js Dense and Embedding match reference dense.json and embedding.json', () => {
    const dense = readReference('dense.json');
    const d = tf.layers.dense({units: dense.config.units});
    const x = tensorFromJson(dense.inputs.x);
    d.apply(x);
    d.setWeights(params(dense, ['kernel', 'bias']));
    assertClose(d.apply(x).dataSync(), dense.outputs.y.data, {atol: 1e-6, what: 'dense y'});

    const emb = readReference('embedding.json');
    const e = tf.layers.embedding({inputDim: emb.config.input_dim, outputDim: emb.config.output_dim});
    const indices = tensorFromJson(emb.inputs.indices);
    e.apply(indices);
    e.setWeights(params(emb, ['embeddings']));
    assertClose(e.apply(indices).dataSync(), emb.outputs.y.data, {atol: 1e-7, what: 'embedding y'});
});

for (const name of ['model_luong_adam', 'model_bahdanau_adam']) {
    test(`a tapenet-format model.json of reference ${name} predicts its y_pred in TF.js`, async (t) => {
        const ref = readReference(`${name}.json`);
        const c = ref.config;
        const [, time, dim] = ref.inputs.x.shape;
        const layers = [
            fmt.lstmConfig({name: 'lstm', units: c.lstm_units, returnSequences: true,
                            batchInputShape: [null, time, dim]}),
            fmt.attentionConfig({name: 'attention', units: c.attention_units, score: c.score}),
            fmt.denseConfig({name: 'dense', units: c.dense_units, activation: c.dense_activation}),
        ];
        // param_order is the reference's (= Keras') weight order; the names are tapenet's manifest names.
        const weights = Object.values(ref.param_order).map((n) => ({
            name: n, shape: ref.params[n].shape, data: ref.params[n].data}));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-ref-model-'));
        fmt.writeTapenetModel(dir, {layers, weights});
        assert.equal(fmt.verifyTapenetMetadata(path.join(dir, 'model.json')), true);

        const model = await loadModel(path.join(dir, 'model.json'));
        const y = model.predict(tensorFromJson(ref.inputs.x));
        assert.deepEqual(y.shape, ref.outputs.y_pred.shape);
        const worst = assertClose(y.dataSync(), ref.outputs.y_pred.data, {atol: 2e-6, what: 'y_pred'});
        t.diagnostic(`max |TF.js - reference| = ${worst.toExponential(2)}`);
        fs.rmSync(dir, {recursive: true});
    });
}
