// The functional fixtures under tests/fixtures/functional/ (make_functional_fixtures.js writes the
// tfjs_* and keras_* ones, tapenet's suite the tapenet_* ones): TF.js loads every graph it can name
// (keras_* carry Keras' weight names, which only tapenet maps) and predicts expected.json: bit for bit
// for what TF.js wrote itself, within 1e-5 for what tapenet wrote.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
require('../attention');
const {loadModel} = require('../model_files');
const {tensorFromJson} = require('../tensor_json');
const {assertClose} = require('../assert_close');

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'functional');
const NAMES = ['tfjs_readme_attention', 'tfjs_shared_dense_merge', 'keras_attention_bahdanau',
               'tapenet_readme_luong', 'tapenet_readme_bahdanau', 'tapenet_shared_dense_merge'];

const read = (name, file) => JSON.parse(fs.readFileSync(path.join(DIR, name, file), 'utf8'));
const modelJson = (name) => path.join(DIR, name, 'model.json');

test('every functional fixture directory is listed here', () => {
    const dirs = fs.readdirSync(DIR).filter((d) => fs.existsSync(modelJson(d)));
    assert.deepEqual(dirs.sort(), [...NAMES].sort());
});

for (const name of NAMES.filter((n) => !n.startsWith('keras_'))) {
    test(`${name}: TF.js loads the graph and predicts expected.json`, async (t) => {
        const topology = read(name, 'model.json').modelTopology;
        assert.equal(topology.class_name, 'Model');
        const model = await loadModel(modelJson(name));
        const xs = read(name, 'inputs.json').x.map((x) => tensorFromJson(x));
        let ys = model.predict(xs.length === 1 ? xs[0] : xs);
        ys = Array.isArray(ys) ? ys : [ys];
        const expected = read(name, 'expected.json').y;
        assert.equal(ys.length, expected.length);
        let worst = 0;
        for (const [i, y] of ys.entries()) {
            assert.deepEqual(y.shape, expected[i].shape);
            if (name.startsWith('tfjs_')) {
                assert.deepEqual(Array.from(y.dataSync()), expected[i].data);
            } else {
                worst = Math.max(worst, assertClose(Array.from(y.dataSync()), expected[i].data,
                                                    {atol: 1e-5, what: `output ${i}`}));
            }
        }
        t.diagnostic(`max |TF.js - expected| = ${worst.toExponential(2)}`);
    });
}

test('tfjs_shared_dense_merge: the shared Dense is one layer with two inbound nodes', () => {
    const layers = read('tfjs_shared_dense_merge', 'model.json').modelTopology.config.layers;
    const shared = layers.find((l) => l.name === 'shared');
    assert.equal(shared.inbound_nodes.length, 2);
});

test('tapenet_shared_dense_merge: tapenet writes the shared Dense as one layer with two inbound nodes', () => {
    const layers = read('tapenet_shared_dense_merge', 'model.json').modelTopology.config.layers;
    const dense = layers.filter((l) => l.class_name === 'Dense');
    assert.equal(dense.length, 2);
    assert.equal(dense.find((l) => l.inbound_nodes.length === 2).config.activation, 'tanh');
});
