// Fixture (c), tests/fixtures/tfjs_seq2seq_c (functional_seq2seq.js): TF.js reproduces its
// expected.json from the committed files, the predictor prints the same, and the attention
// weights are a softmax over every encoder step (TF.js' Dot passes no mask on).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const {spawnSync} = require('child_process');
require('@tensorflow/tfjs');
const {loadModel} = require('../model_files');
const {tensorFromJson} = require('../tensor_json');
const {FIXTURE} = require('../functional_seq2seq');

const read = (file) => JSON.parse(fs.readFileSync(path.join(FIXTURE, file), 'utf8'));

test('tfjs_seq2seq_c: TF.js reproduces expected.json bit for bit, two inputs and two outputs', async () => {
    const model = await loadModel(path.join(FIXTURE, 'model.json'));
    const outputs = model.predict(read('inputs.json').inputs.map((t) => tensorFromJson(t)));
    const expected = read('expected.json').outputs;
    assert.equal(outputs.length, 2);
    for (let k = 0; k < 2; ++k) {
        assert.deepEqual(outputs[k].shape, expected[k].shape);
        assert.deepEqual(Array.from(outputs[k].dataSync()), expected[k].data);
    }
});

test('tfjs_seq2seq_c: the attention rows sum to 1 and weigh padded encoder steps too', () => {
    const alpha = read('expected.json').outputs[1];  // (3, 4, 6)
    const enc = read('inputs.json').inputs[0].data;
    const [B, Tq, Tv] = alpha.shape;
    let paddedWeight = 0;
    for (let b = 0; b < B; ++b) {
        for (let q = 0; q < Tq; ++q) {
            let sum = 0;
            for (let v = 0; v < Tv; ++v) {
                const w = alpha.data[(b * Tq + q) * Tv + v];
                sum += w;
                if (enc[b * Tv + v] === 0) paddedWeight += w;
            }
            assert.ok(Math.abs(sum - 1) < 1e-6);
        }
    }
    assert.ok(paddedWeight > 0);
});

test('functional_seq2seq.js predict prints the fixture\'s outputs', () => {
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'functional_seq2seq.js'), 'predict',
                                           path.join(FIXTURE, 'model.json'), path.join(FIXTURE, 'inputs.json')]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.deepEqual(JSON.parse(r.stdout.toString()).outputs, read('expected.json').outputs);
});
