// The date_translation example's saved model in TF.js: build/bin/date_translation trains briefly into
// a temporary folder (model.json + weights, and sample_human.json, sample_iso_so_far.json,
// sample_logits.json: the model's two inputs for the dozen test dates of metrics.json's "examples",
// one per format, and tapenet's logits for them). TF.js loads the model, predicts tapenet's logits
// within 1e-5 (as does build/bin/tapenet-predict reading the same files), and its own greedy
// decoding translates the dozen dates into the strings tapenet wrote.
//
// Skipped, with a message, when build/bin/date_translation is not built (run `make` first; CI runs
// run_interop.sh after it). TAPENET_BIN_DIR (as for make test) overrides the folder of the binaries.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {spawnSync} = require('child_process');
const tf = require('@tensorflow/tfjs');
const {loadModel} = require('../model_files');
const {tensorFromJson} = require('../tensor_json');
const {verifyTapenetMetadata} = require('../tapenet_format');
const {assertClose} = require('../assert_close');

const BIN = process.env.TAPENET_BIN_DIR || path.join(__dirname, '..', '..', '..', 'build', 'bin');
const EXAMPLE = path.join(BIN, 'date_translation');
const PREDICT = path.join(BIN, 'tapenet-predict');
const SKIP = fs.existsSync(EXAMPLE) ? false : `${EXAMPLE} is not built (run make first)`;

// A quick run: one epoch of 2,000 pairs at the full learning rate gives logits whose two largest
// differ by far more than 1e-5 at every step, so both sides' greedy choices are well defined.
const RUN_FLAGS = ['--epochs', '1', '--train', '2000', '--units', '16', '--fine-tune', '0', '--verbose', '0'];
const INPUT_LENGTH = 32;               // examples/date_formats.h: kInputLength
const OUTPUT_LENGTH = 10;              // kOutputLength ("YYYY-MM-DD")
const START = 1;                       // kOutputStart
const OUTPUT_CHARS = '??0123456789-';  // index -> character as the example prints it (0 padding, 1 start: '?')

let dir = null;
const file = (name) => path.join(dir, name);
const readJson = (name) => JSON.parse(fs.readFileSync(file(name), 'utf8'));

test.before(async () => {
    tf.enableProdMode();
    await tf.setBackend('cpu');
    if (SKIP) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tapenet-date-translation-'));
    const r = spawnSync(EXAMPLE, [...RUN_FLAGS, '--out', dir], {encoding: 'utf8'});
    assert.equal(r.status, 0, `date_translation failed:\n${r.stdout}\n${r.stderr}`);
});

test.after(() => {
    if (dir != null) fs.rmSync(dir, {recursive: true, force: true});
});

test('date_translation: the saved model has two inputs, a masked encoder and a softmax TF.js computes the same way', {skip: SKIP}, () => {
    assert.equal(verifyTapenetMetadata(file('model.json')), true);
    const config = readJson('model.json').modelTopology.config;
    assert.deepEqual(config.input_layers.map((l) => l[0]), ['human', 'iso_so_far']);
    const layers = config.layers;
    assert.ok(layers.some((l) => l.class_name === 'Embedding' && l.config.mask_zero === true));
    // A Softmax layer would drop the padded steps in tapenet but not in TF.js (whose Dot passes no
    // mask on); the example uses Activation("softmax"), which uses no mask on either side.
    assert.ok(layers.some((l) => l.class_name === 'Activation' && l.config.activation === 'softmax'));
    assert.ok(!layers.some((l) => l.class_name === 'Softmax'));
});

test('date_translation: the sample holds a dozen dates, padded, with their greedy decoder inputs', {skip: SKIP}, () => {
    const human = readJson('sample_human.json');
    const iso = readJson('sample_iso_so_far.json');
    assert.deepEqual(human.shape, [12, INPUT_LENGTH]);
    assert.deepEqual(iso.shape, [12, OUTPUT_LENGTH]);
    const examples = readJson('metrics.json').examples;
    assert.equal(examples.length, 12);
    for (let n = 0; n < 12; ++n) {
        const row = human.data.slice(n * INPUT_LENGTH, (n + 1) * INPUT_LENGTH);
        const length = examples[n].input.length;
        // Post-padded: the date's characters, then zeros, so the encoder's mask matters.
        assert.ok(row.slice(0, length).every((v) => v > 0), `row ${n}`);
        assert.ok(row.slice(length).every((v) => v === 0), `row ${n}`);
        assert.ok(length < INPUT_LENGTH);
        assert.equal(iso.data[n * OUTPUT_LENGTH], START);
    }
});

test('date_translation: TF.js loads the saved model and predicts tapenet\'s logits within 1e-5', {skip: SKIP}, async (t) => {
    const model = await loadModel(file('model.json'));
    const y = model.predict([tensorFromJson(readJson('sample_human.json')), tensorFromJson(readJson('sample_iso_so_far.json'))]);
    const expected = readJson('sample_logits.json');
    assert.deepEqual(y.shape, expected.shape);
    assert.deepEqual(expected.shape, [12, OUTPUT_LENGTH, 13]);
    const worst = assertClose(y.dataSync(), expected.data, {atol: 1e-5, what: 'TF.js vs tapenet logits'});
    t.diagnostic(`max |TF.js - tapenet| = ${worst.toExponential(2)}`);
});

test('date_translation: tapenet-predict reads the sample files and agrees with the example and with TF.js', {skip: SKIP || (!fs.existsSync(PREDICT) && `${PREDICT} is not built`)}, async () => {
    const out = file('predict_logits.json');
    const r = spawnSync(PREDICT, [file('model.json'), file('sample_human.json'), file('sample_iso_so_far.json'), '--output', out],
                        {encoding: 'utf8'});
    assert.equal(r.status, 0, r.stderr);
    const predicted = JSON.parse(fs.readFileSync(out, 'utf8'));
    const expected = readJson('sample_logits.json');
    assert.deepEqual(predicted.shape, expected.shape);
    assertClose(predicted.data, expected.data, {atol: 1e-6, what: 'tapenet-predict vs the example'});
    const model = await loadModel(file('model.json'));
    const y = model.predict([tensorFromJson(readJson('sample_human.json')), tensorFromJson(readJson('sample_iso_so_far.json'))]);
    assertClose(y.dataSync(), predicted.data, {atol: 1e-5, what: 'TF.js vs tapenet-predict'});
});

// The gap between the largest and the second largest logit of every (sample, step).
function smallestMargin(logits, vocab) {
    let smallest = Infinity;
    for (let i = 0; i < logits.length; i += vocab) {
        const row = Array.from(logits.slice(i, i + vocab)).sort((a, b) => b - a);
        smallest = Math.min(smallest, row[0] - row[1]);
    }
    return smallest;
}

test('date_translation: greedy decoding in TF.js translates the dozen dates as tapenet did', {skip: SKIP}, async () => {
    const logits = readJson('sample_logits.json');
    // Logits agree within 1e-5, so where tapenet's best logit leads by more than 2e-5 TF.js must
    // choose the same character; a closer call would make the comparison a coin toss.
    assert.ok(smallestMargin(logits.data, 13) > 2e-5, 'the brief run left near-ties: train longer in RUN_FLAGS');
    const model = await loadModel(file('model.json'));
    const human = tensorFromJson(readJson('sample_human.json'));
    const n = human.shape[0];
    const decoderIn = new Int32Array(n * OUTPUT_LENGTH);
    for (let r = 0; r < n; ++r) decoderIn[r * OUTPUT_LENGTH] = START;
    const chosen = Array.from({length: n}, () => []);
    for (let step = 0; step < OUTPUT_LENGTH; ++step) {
        const y = model.predict([human, tf.tensor2d(decoderIn, [n, OUTPUT_LENGTH], 'int32')]);
        const best = tf.argMax(y, 2).arraySync();  // (n, OUTPUT_LENGTH)
        for (let r = 0; r < n; ++r) {
            chosen[r].push(best[r][step]);
            if (step + 1 < OUTPUT_LENGTH) decoderIn[r * OUTPUT_LENGTH + step + 1] = best[r][step];
        }
    }
    // TF.js fed itself exactly the decoder inputs tapenet fed itself ...
    assert.deepEqual(Array.from(decoderIn), readJson('sample_iso_so_far.json').data);
    // ... and wrote the strings tapenet reported in metrics.json.
    const translated = chosen.map((tokens) => tokens.map((k) => OUTPUT_CHARS[k]).join(''));
    assert.deepEqual(translated, readJson('metrics.json').examples.map((e) => e.output));
});
