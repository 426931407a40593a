// GRU and Bidirectional both ways (fixtures in tests/fixtures/recurrent/, see recurrent.js):
// TF.js reproduces its own tfjs_* fixtures bit for bit, and loads the tapenet_* models (saved by
// tapenet, checksum block included) and predicts tapenet's recorded values within 1e-5.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const {loadModel} = require('../model_files');
const {tensorFromJson} = require('../tensor_json');
const {verifyTapenetMetadata} = require('../tapenet_format');
const {assertClose} = require('../assert_close');
const {DIR} = require('../recurrent');

const read = (name, file) => JSON.parse(fs.readFileSync(path.join(DIR, name, file), 'utf8'));
const modelJson = (name) => path.join(DIR, name, 'model.json');

test.before(async () => {
    tf.enableProdMode();
    await tf.setBackend('cpu');
});

test('the recurrent fixtures are the four expected ones', () => {
    const dirs = fs.readdirSync(DIR).filter((d) => fs.existsSync(modelJson(d)));
    assert.deepEqual(dirs.sort(), ['tapenet_bidirectional_lstm', 'tapenet_gru', 'tfjs_bidirectional_lstm', 'tfjs_gru']);
});

for (const name of ['tfjs_bidirectional_lstm', 'tfjs_gru']) {
    test(`${name}: TF.js reproduces expected.json bit for bit`, async () => {
        const model = await loadModel(modelJson(name));
        const y = model.predict(tensorFromJson(read(name, 'inputs.json').x));
        assert.deepEqual(Array.from(y.dataSync()), read(name, 'expected.json').y.data);
    });
}

for (const name of ['tapenet_bidirectional_lstm', 'tapenet_gru']) {
    test(`${name}: saved by tapenet, TF.js loads it and predicts tapenet's values within 1e-5`, async (t) => {
        assert.equal(verifyTapenetMetadata(modelJson(name)), true);
        const model = await loadModel(modelJson(name));
        const layers = JSON.parse(fs.readFileSync(modelJson(name), 'utf8')).modelTopology.config.layers;
        assert.ok(layers.some((l) => l.class_name === 'Bidirectional'));
        const names = model.weights.map((w) => w.originalName || w.name);
        assert.ok(names.some((n) => /bidirectional.*\/forward_(lstm|gru)\/kernel/.test(n)), names.join(', '));
        const expected = read(name, 'expected.json').y;
        const y = model.predict(tensorFromJson(read(name, 'inputs.json').x));
        assert.deepEqual(y.shape, expected.shape);
        const worst = assertClose(y.dataSync(), expected.data, {atol: 1e-5, what: name});
        t.diagnostic(`max |TF.js - tapenet| = ${worst.toExponential(2)}`);
    });
}
