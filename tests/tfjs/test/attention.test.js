// The JS Attention layer against tests/reference (PyTorch float64, keras-attention semantics), and
// its save/load round trip through model.json + weights.bin.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const {Attention, attentionForward} = require('../attention');
const {saveModel, loadModel} = require('../model_files');
const {tensorFromJson} = require('../tensor_json');
const {assertClose} = require('../assert_close');

const REFERENCE = path.join(__dirname, '..', '..', 'reference');
const readReference = (name) => JSON.parse(fs.readFileSync(path.join(REFERENCE, name), 'utf8'));

for (const score of ['luong', 'bahdanau']) {
    test(`attentionForward (${score}) matches reference attention_${score}.json`, () => {
        const ref = readReference(`attention_${score}.json`);
        assert.equal(ref.config.score, score);
        const w = {};
        for (const [name, t] of Object.entries(ref.params)) w[name] = tensorFromJson(t, name);
        const out = attentionForward(tensorFromJson(ref.inputs.h_s), w, score);
        for (const key of ['h_t', 'score', 'alpha', 'context', 'y']) {
            assert.deepEqual(out[key].shape, ref.outputs[key].shape, key);
            assertClose(out[key].dataSync(), ref.outputs[key].data, {atol: 1e-6, what: key});
        }
    });

    test(`Attention(${score}) saves weights as <layer>/<name> in order and reloads identically`, async () => {
        const model = tf.sequential({layers: [
            tf.layers.lstm({units: 4, returnSequences: true, inputShape: [5, 3], name: 'lstm'}),
            new Attention({units: 8, score, name: 'attention'}),
            tf.layers.dense({units: 1, name: 'dense'}),
        ]});
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-attention-'));
        const json = await saveModel(model, dir);

        const names = json.weightsManifest[0].weights.filter((w) => w.name.startsWith('attention/'));
        const expected = score === 'luong'
            ? [['attention/luong_w', [4, 4]], ['attention/attention_vector', [8, 8]]]
            : [['attention/bahdanau_w1', [4, 4]], ['attention/bahdanau_w2', [4, 4]],
               ['attention/bahdanau_v', [4, 1]], ['attention/attention_vector', [8, 8]]];
        assert.deepEqual(names.map((w) => [w.name, w.shape]), expected);
        const layer = json.modelTopology.config.layers[1];
        assert.deepEqual(layer, {class_name: 'Attention',
                                 config: {name: 'attention', trainable: true, units: 8, score}});

        const x = tf.randomUniform([2, 5, 3], -1, 1, 'float32', 7);
        const reloaded = await loadModel(path.join(dir, 'model.json'));
        assert.deepEqual(Array.from(reloaded.predict(x).dataSync()), Array.from(model.predict(x).dataSync()));
        fs.rmSync(dir, {recursive: true});
    });
}

test('Attention rejects a bad score or units with a message naming the layer', () => {
    assert.throws(() => new Attention({score: 'dot', name: 'att'}), /Attention 'att': score must be/);
    assert.throws(() => new Attention({units: 0, name: 'att'}), /Attention 'att': units must be/);
    assert.equal(new Attention({}).units, 128);
    assert.equal(new Attention({}).score, 'luong');
});

test('Attention rejects an input that is not (batch, time, features)', () => {
    const model = tf.sequential();
    assert.throws(() => model.add(new Attention({units: 2, name: 'att', inputShape: [3]})),
                  /Attention 'att': expects input \(batch, time, features\)/);
});

test("with a mask: padded steps get exactly zero weight and h_t is the last real step (tapenet's rule)", () => {
    const ref = readReference('attention_bahdanau.json');
    const w = {};
    for (const [name, t] of Object.entries(ref.params)) w[name] = tensorFromJson(t, name);
    const hs = tensorFromJson(ref.inputs.h_s); // (2, 4, 3)
    const mask = tf.tensor2d([[1, 1, 0, 0], [0, 1, 1, 1]]);
    const out = attentionForward(hs, w, 'bahdanau', mask);
    const alpha = out.alpha.arraySync();
    assert.deepEqual([alpha[0][2], alpha[0][3], alpha[1][0]], [0, 0, 0]);
    assertClose(alpha.map((r) => r.reduce((a, b) => a + b, 0)), [1, 1], {atol: 1e-6, what: 'sum alpha'});
    const h = hs.arraySync();
    assert.deepEqual(out.h_t.arraySync(), [h[0][1], h[1][3]]);
    // Row 0 equals attention over its two real steps alone.
    const alone = attentionForward(hs.slice([0, 0, 0], [1, 2, 3]), w, 'bahdanau');
    assertClose(out.y.arraySync()[0], alone.y.dataSync(), {atol: 1e-7, what: 'y row 0'});
    // A mask of ones changes nothing.
    assert.deepEqual(Array.from(attentionForward(hs, w, 'bahdanau', tf.ones([2, 4])).y.dataSync()),
                     Array.from(attentionForward(hs, w, 'bahdanau').y.dataSync()));
    assert.throws(() => attentionForward(hs, w, 'bahdanau', tf.tensor2d([[1, 0, 0, 0], [0, 0, 0, 0]])),
                  /row 1 of the mask has no unmasked step/);
});
