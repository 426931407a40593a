// The fixtures under tests/fixtures/: TF.js reproduces expected.json from the files, an independent
// float64 evaluator (float64_model.js, no TF.js) agrees with it, the tapenet_* files carry a correct
// checksum block, and predict.js prints the same predictions.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {spawnSync} = require('child_process');
const tf = require('@tensorflow/tfjs');
require('../attention');
const {loadModel} = require('../model_files');
const {tensorFromJson} = require('../tensor_json');
const {verifyTapenetMetadata} = require('../tapenet_format');
const {evaluate, nest, flatten, ACTIVATIONS} = require('../float64_model');
const {assertClose} = require('../assert_close');

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');
const PREDICT = path.join(__dirname, '..', 'predict.js');
const NAMES = ['tfjs_lstm_dense', 'tfjs_lstm_seq_dense', 'tfjs_embedding_lstm_dense',
               'tapenet_lstm_attention_dense', 'tapenet_checkpoint_bahdanau'];

const read = (name, file) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name, file), 'utf8'));
const modelJson = (name) => path.join(FIXTURES, name, 'model.json');

test('every fixture directory is listed here', () => {
    const dirs = fs.readdirSync(FIXTURES).filter((d) => fs.existsSync(modelJson(d)) && !d.startsWith('tfjs_seq2seq_'));  // functional_seq2seq.test.js
    assert.deepEqual(dirs.sort(), [...NAMES].sort());
});

for (const name of NAMES) {
    test(`${name}: TF.js reproduces expected.json bit for bit`, async () => {
        const model = await loadModel(modelJson(name));
        const y = model.predict(tensorFromJson(read(name, 'inputs.json').x));
        const expected = read(name, 'expected.json').y;
        assert.deepEqual(y.shape, expected.shape);
        assert.deepEqual(Array.from(y.dataSync()), expected.data);
    });

    test(`${name}: an independent float64 evaluation agrees with expected.json`, (t) => {
        const x = read(name, 'inputs.json').x;
        const y = flatten(evaluate(modelJson(name), nest(x)));
        const worst = assertClose(y, read(name, 'expected.json').y.data, {atol: 2e-6, what: 'y'});
        t.diagnostic(`max |float64 - TF.js| = ${worst.toExponential(2)}`);
    });

    test(`${name}: tapenet checksum block ${name.startsWith('tapenet_') ? 'present and correct' : 'absent'}`, () => {
        assert.equal(verifyTapenetMetadata(modelJson(name)), name.startsWith('tapenet_'));
    });
}

test('tfjs_lstm_dense really exercises hard_sigmoid clipping, and sigmoid would not fit it', () => {
    const x = nest(read('tfjs_lstm_dense', 'inputs.json').x);
    const expected = read('tfjs_lstm_dense', 'expected.json').y.data;
    const hard = ACTIVATIONS.hard_sigmoid;
    let clipped = 0;
    let calls = 0;
    try {
        ACTIVATIONS.hard_sigmoid = (v) => {
            calls++;
            if (Math.abs(v) > 2.5) clipped++;
            return hard(v);
        };
        evaluate(modelJson('tfjs_lstm_dense'), x);
        ACTIVATIONS.hard_sigmoid = ACTIVATIONS.sigmoid;
        const withSigmoid = flatten(evaluate(modelJson('tfjs_lstm_dense'), x));
        const gap = Math.max(...withSigmoid.map((v, i) => Math.abs(v - expected[i])));
        assert.ok(gap > 1e-2, `sigmoid instead of hard_sigmoid changes y by only ${gap}`);
    } finally {
        ACTIVATIONS.hard_sigmoid = hard;
    }
    assert.ok(clipped >= 10, `only ${clipped} of ${calls} gate pre-activations are beyond +-2.5`);
});

test('tfjs_embedding_lstm_dense: masking makes the post- and pre-padded rows equal', () => {
    const y = read('tfjs_embedding_lstm_dense', 'expected.json').y.data;
    assert.equal(y[0], y[2]);
    assert.notEqual(y[0], y[1]);
});

test('tapenet_checkpoint_bahdanau: with the mask, the post- and pre-padded rows give equal outputs', () => {
    const y = read('tapenet_checkpoint_bahdanau', 'expected.json').y.data;
    assert.equal(y[0], y[1]);
    assert.notEqual(y[0], y[2]);
});

test('tapenet_checkpoint_bahdanau: TF.js restores the Adam state (iterations 3) from the optimizer group', async () => {
    const model = await loadModel(modelJson('tapenet_checkpoint_bahdanau'));
    assert.equal(model.optimizer.getClassName(), 'Adam');
    assert.equal(model.optimizer.iterations, 3);
    const state = await model.optimizer.getWeights();
    const modelWeights = model.weights.length;
    assert.equal(state.length, 1 + 2 * modelWeights);
    assert.equal(state[1].name, 'embedding/embeddings/m');
    assert.equal(state[1 + modelWeights].name, 'embedding/embeddings/v');
    assert.ok(Math.abs(state[1].tensor.dataSync()[0] - 0.001) < 1e-9);
});

test('predict.js prints {"y": tensor} equal to expected.json', () => {
    for (const name of ['tfjs_embedding_lstm_dense', 'tapenet_lstm_attention_dense']) {
        const run = spawnSync(process.execPath, [PREDICT, modelJson(name), path.join(FIXTURES, name, 'inputs.json')],
                              {encoding: 'utf8'});
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(JSON.parse(run.stdout).y, read(name, 'expected.json').y);
    }
});

test('predict.js refuses corrupt or truncated weights with a clear message', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-corrupt-'));
    const src = path.join(FIXTURES, 'tapenet_lstm_attention_dense');
    for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
    const run = () => spawnSync(process.execPath, [PREDICT, path.join(dir, 'model.json'), path.join(dir, 'inputs.json')],
                                {encoding: 'utf8'});

    const bytes = fs.readFileSync(path.join(dir, 'weights.bin'));
    bytes[100] ^= 0x01;
    fs.writeFileSync(path.join(dir, 'weights.bin'), bytes);
    let result = run();
    assert.equal(result.status, 1);
    assert.match(result.stderr, /weights CRC-32 is [0-9a-f]{8}, model.json says [0-9a-f]{8}/);

    fs.writeFileSync(path.join(dir, 'weights.bin'), bytes.subarray(0, bytes.length - 4));
    result = run();
    assert.equal(result.status, 1);
    assert.match(result.stderr, /weights_bytes 868, but the weights files hold 864 bytes/);
    fs.rmSync(dir, {recursive: true});
});

test('docs/format.md: the complete example is tapenet_lstm_attention_dense/model.json', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'format.md'), 'utf8');
    const section = doc.split('## Complete example')[1];
    assert.ok(section, 'docs/format.md has a "Complete example" section');
    const block = section.match(/```json\n([\s\S]*?)\n```/);
    assert.ok(block, 'the section has a ```json block');
    assert.deepEqual(JSON.parse(block[1]), read('tapenet_lstm_attention_dense', 'model.json'));
});
